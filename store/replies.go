package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm/clause"
)

// SavedReply is a text the team saved to send again (/sms reply add). Its
// text may hold variables ({name}, {first_name}, {our_number}, {agent}),
// filled from the conversation when it is used (bridge.FillReply).
type SavedReply struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:64;not null;uniqueIndex:ux_saved_replies_name"`
	Text      string `gorm:"not null"`
	CreatedBy string `gorm:"size:32;not null"` // Slack user id
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrExists is returned when a row with the same unique name exists.
var ErrExists = errors.New("already exists")

// AddSavedReply stores r; a reply with the same name is ErrExists and is
// left as it was.
func (s *Store) AddSavedReply(ctx context.Context, r *SavedReply) error {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrExists
	}
	return nil
}

// SavedReply finds the reply called name, or ErrNotFound.
func (s *Store) SavedReply(ctx context.Context, name string) (*SavedReply, error) {
	var r SavedReply
	if err := s.db.WithContext(ctx).Where("name = ?", name).Take(&r).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// SavedReplies lists the saved replies by name, at most limit of them.
func (s *Store) SavedReplies(ctx context.Context, limit int) ([]SavedReply, error) {
	var out []SavedReply
	return out, s.db.WithContext(ctx).Order("name").Limit(limit).Find(&out).Error
}

// DeleteSavedReply removes the reply called name; ErrNotFound when there
// is none.
func (s *Store) DeleteSavedReply(ctx context.Context, name string) error {
	res := s.db.WithContext(ctx).Where("name = ?", name).Delete(&SavedReply{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

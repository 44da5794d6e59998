package team

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// AddSavedReply stores r; a reply with the same name is ErrExists and is
// left as it was.
func (s *Settings) AddSavedReply(ctx context.Context, r *model.SavedReply) error {
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(r)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrExists
	}
	return nil
}

// SavedReply finds the reply called name, or ErrNotFound.
func (s *Settings) SavedReply(ctx context.Context, name string) (*model.SavedReply, error) {
	var r model.SavedReply
	if err := s.DB.WithContext(ctx).Where("name = ?", name).Take(&r).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &r, nil
}

// SavedReplies lists the saved replies by name, at most limit of them.
func (s *Settings) SavedReplies(ctx context.Context, limit int) ([]model.SavedReply, error) {
	var out []model.SavedReply
	return out, s.DB.WithContext(ctx).Order("name").Limit(limit).Find(&out).Error
}

// DeleteSavedReply removes the reply called name; ErrNotFound when there
// is none.
func (s *Settings) DeleteSavedReply(ctx context.Context, name string) error {
	res := s.DB.WithContext(ctx).Where("name = ?", name).Delete(&model.SavedReply{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

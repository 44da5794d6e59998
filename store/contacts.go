package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Contact is a name the team gave a phone number (/sms contact). Number is
// E.164; the name is shown in thread headers and the App Home.
type Contact struct {
	Number    string `gorm:"primaryKey;size:32"`
	Name      string `gorm:"size:200;not null"`
	SetBy     string `gorm:"size:32"` // Slack user id
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SetContact names a number, replacing an earlier name.
func (s *Store) SetContact(ctx context.Context, c *Contact) error {
	now := s.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "number"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "set_by", "updated_at"}),
	}).Create(c).Error
}

// DeleteContact forgets number's name; a number with none is not an error.
func (s *Store) DeleteContact(ctx context.Context, number string) error {
	return s.db.WithContext(ctx).Where("number = ?", number).Delete(&Contact{}).Error
}

// Contact finds the contact of number, or ErrNotFound.
func (s *Store) Contact(ctx context.Context, number string) (*Contact, error) {
	var c Contact
	if err := s.db.WithContext(ctx).Take(&c, "number = ?", number).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// ContactNames maps each of numbers that has a contact to its name, in one
// query (primary key lookups).
func (s *Store) ContactNames(ctx context.Context, numbers []string) (map[string]string, error) {
	out := map[string]string{}
	if len(numbers) == 0 {
		return out, nil
	}
	var cs []Contact
	if err := s.db.WithContext(ctx).Select("number", "name").Where("number IN ?", numbers).Find(&cs).Error; err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.Number] = c.Name
	}
	return out, nil
}

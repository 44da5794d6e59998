package team

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// SetContact names a number, replacing an earlier name.
func (s *Settings) SetContact(ctx context.Context, c *model.Contact) error {
	now := s.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "number"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "set_by", "updated_at"}),
	}).Create(c).Error
}

// DeleteContact forgets number's name; a number with none is not an error.
func (s *Settings) DeleteContact(ctx context.Context, number string) error {
	return s.DB.WithContext(ctx).Where("number = ?", number).Delete(&model.Contact{}).Error
}

// Contact finds the contact of number, or ErrNotFound.
func (s *Settings) Contact(ctx context.Context, number string) (*model.Contact, error) {
	var c model.Contact
	if err := s.DB.WithContext(ctx).Take(&c, "number = ?", number).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &c, nil
}

// ContactNames maps each of numbers that has a contact to its name, in one
// query (primary key lookups).
func (s *Settings) ContactNames(ctx context.Context, numbers []string) (map[string]string, error) {
	out := map[string]string{}
	if len(numbers) == 0 {
		return out, nil
	}
	var cs []model.Contact
	if err := s.DB.WithContext(ctx).Select("number", "name").Where("number IN ?", numbers).Find(&cs).Error; err != nil {
		return nil, err
	}
	for _, c := range cs {
		out[c.Number] = c.Name
	}
	return out, nil
}

package team

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// SetHours stores our number's week and time zone, keeping its reply.
func (s *Settings) SetHours(ctx context.Context, our, week, zone, by string) error {
	h := &model.BusinessHours{OurNumber: our, Week: week, TimeZone: zone, SetBy: by, UpdatedAt: s.Now()}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "our_number"}},
		DoUpdates: clause.AssignmentColumns([]string{"week", "time_zone", "set_by", "updated_at"}),
	}).Create(h).Error
}

// SetAutoReplyText stores our number's auto-reply ("" turns it off),
// keeping its week.
func (s *Settings) SetAutoReplyText(ctx context.Context, our, text, by string) error {
	h := &model.BusinessHours{OurNumber: our, Reply: text, SetBy: by, UpdatedAt: s.Now()}
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "our_number"}},
		DoUpdates: clause.AssignmentColumns([]string{"reply", "set_by", "updated_at"}),
	}).Create(h).Error
}

// Hours is our number's hours, or ErrNotFound when none were set.
func (s *Settings) Hours(ctx context.Context, our string) (*model.BusinessHours, error) {
	var h model.BusinessHours
	if err := s.DB.WithContext(ctx).Take(&h, "our_number = ?", our).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &h, nil
}

// AllHours is every number's hours, by number.
func (s *Settings) AllHours(ctx context.Context) ([]model.BusinessHours, error) {
	var hs []model.BusinessHours
	err := s.DB.WithContext(ctx).Order("our_number").Find(&hs).Error
	return hs, err
}

// ClearHours forgets our number's hours, reply and holidays: it is open
// at all times again.
func (s *Settings) ClearHours(ctx context.Context, our string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("our_number = ?", our).Delete(&model.Holiday{}).Error; err != nil {
			return err
		}
		return tx.Where("our_number = ?", our).Delete(&model.BusinessHours{}).Error
	})
}

// AddHoliday closes our number all day on date; adding it twice is not
// an error.
func (s *Settings) AddHoliday(ctx context.Context, our, date, by string) error {
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&model.Holiday{OurNumber: our, Date: date, SetBy: by, CreatedAt: s.Now()}).Error
}

// RemoveHoliday opens date again; it reports whether it was a holiday.
func (s *Settings) RemoveHoliday(ctx context.Context, our, date string) (bool, error) {
	res := s.DB.WithContext(ctx).Where("our_number = ? AND date = ?", our, date).Delete(&model.Holiday{})
	return res.RowsAffected > 0, res.Error
}

// Holidays is our number's holidays, earliest first.
func (s *Settings) Holidays(ctx context.Context, our string) ([]string, error) {
	var ds []string
	err := s.DB.WithContext(ctx).Model(&model.Holiday{}).Where("our_number = ?", our).Order("date").Pluck("date", &ds).Error
	return ds, err
}

// ClaimAutoReply decides whether the inbound message trigger may earn
// conversation conv an auto-reply at now: yes when the conversation never
// had one, when its last was at least every ago, or when trigger itself
// holds the claim (a retry). A yes is recorded before it is answered.
func (s *Settings) ClaimAutoReply(ctx context.Context, conv uint64, trigger string, now time.Time, every time.Duration) (bool, error) {
	db := s.DB.WithContext(ctx)
	var a model.AutoReply
	err := db.Take(&a, "conversation_id = ?", conv).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&model.AutoReply{ConversationID: conv, LastAt: now, TriggerID: trigger})
		return res.RowsAffected == 1, res.Error
	case err != nil:
		return false, err
	case a.TriggerID == trigger:
		return true, nil
	case now.Sub(a.LastAt) < every:
		return false, nil
	}
	// Compare-and-set on the claim read, so two claimants cannot both win.
	res := db.Model(&model.AutoReply{}).Where("conversation_id = ? AND trigger_id = ?", conv, a.TriggerID).
		Updates(map[string]any{"last_at": now, "trigger_id": trigger})
	return res.RowsAffected == 1, res.Error
}

// PreviousMessage is the message of conversation conv just before message
// id, auto-replies left out, or ErrNotFound when there is none.
func (s *Settings) PreviousMessage(ctx context.Context, conv, id uint64) (*model.Message, error) {
	var m model.Message
	err := s.DB.WithContext(ctx).
		Where("conversation_id = ? AND id < ? AND (outbox_key IS NULL OR outbox_key NOT LIKE ?)", conv, id, model.AutoReplyKeyPrefix+"%").
		Order("id DESC").Take(&m).Error
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

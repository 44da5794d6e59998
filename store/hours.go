package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BusinessHours is when the team answers texts to one of our numbers
// (/sms hours). Week is the normalized schedule ("mon-fri 09:00-17:30,
// sat 10:00-14:00"; empty: no hours set), read in TimeZone (an IANA
// name). Reply is the auto-reply sent outside those hours; empty: none.
// The bridge parses and applies them; the store only keeps them.
type BusinessHours struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Week      string `gorm:"size:255;not null;default:''"`
	TimeZone  string `gorm:"size:64;not null;default:''"`
	Reply     string `gorm:"not null;default:''"`
	SetBy     string `gorm:"size:32"` // Slack user id of the last change
	UpdatedAt time.Time
}

// Holiday is a date (YYYY-MM-DD, in the hours' time zone) on which one of
// our numbers is closed all day.
type Holiday struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Date      string `gorm:"primaryKey;size:10"`
	SetBy     string `gorm:"size:32"`
	CreatedAt time.Time
}

// AutoReply is when a conversation last got the auto-reply, and the
// inbound message (its Telnyx id) that earned it: a retry of that
// message's handler finds its own claim and queues the same work again
// (which the outbox key makes a no-op), instead of losing it.
type AutoReply struct {
	ConversationID uint64    `gorm:"primaryKey;autoIncrement:false"`
	LastAt         time.Time `gorm:"not null"`
	TriggerID      string    `gorm:"size:64;not null"`
}

// SetHours stores our number's week and time zone, keeping its reply.
func (s *Store) SetHours(ctx context.Context, our, week, zone, by string) error {
	h := &BusinessHours{OurNumber: our, Week: week, TimeZone: zone, SetBy: by, UpdatedAt: s.Now()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "our_number"}},
		DoUpdates: clause.AssignmentColumns([]string{"week", "time_zone", "set_by", "updated_at"}),
	}).Create(h).Error
}

// SetAutoReplyText stores our number's auto-reply ("" turns it off),
// keeping its week.
func (s *Store) SetAutoReplyText(ctx context.Context, our, text, by string) error {
	h := &BusinessHours{OurNumber: our, Reply: text, SetBy: by, UpdatedAt: s.Now()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "our_number"}},
		DoUpdates: clause.AssignmentColumns([]string{"reply", "set_by", "updated_at"}),
	}).Create(h).Error
}

// Hours is our number's hours, or ErrNotFound when none were set.
func (s *Store) Hours(ctx context.Context, our string) (*BusinessHours, error) {
	var h BusinessHours
	if err := s.db.WithContext(ctx).Take(&h, "our_number = ?", our).Error; err != nil {
		return nil, notFound(err)
	}
	return &h, nil
}

// AllHours is every number's hours, by number.
func (s *Store) AllHours(ctx context.Context) ([]BusinessHours, error) {
	var hs []BusinessHours
	err := s.db.WithContext(ctx).Order("our_number").Find(&hs).Error
	return hs, err
}

// ClearHours forgets our number's hours, reply and holidays: it is open
// at all times again.
func (s *Store) ClearHours(ctx context.Context, our string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("our_number = ?", our).Delete(&Holiday{}).Error; err != nil {
			return err
		}
		return tx.Where("our_number = ?", our).Delete(&BusinessHours{}).Error
	})
}

// AddHoliday closes our number all day on date; adding it twice is not
// an error.
func (s *Store) AddHoliday(ctx context.Context, our, date, by string) error {
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Holiday{OurNumber: our, Date: date, SetBy: by, CreatedAt: s.Now()}).Error
}

// RemoveHoliday opens date again; it reports whether it was a holiday.
func (s *Store) RemoveHoliday(ctx context.Context, our, date string) (bool, error) {
	res := s.db.WithContext(ctx).Where("our_number = ? AND date = ?", our, date).Delete(&Holiday{})
	return res.RowsAffected > 0, res.Error
}

// Holidays is our number's holidays, earliest first.
func (s *Store) Holidays(ctx context.Context, our string) ([]string, error) {
	var ds []string
	err := s.db.WithContext(ctx).Model(&Holiday{}).Where("our_number = ?", our).Order("date").Pluck("date", &ds).Error
	return ds, err
}

// ClaimAutoReply decides whether the inbound message trigger may earn
// conversation conv an auto-reply at now: yes when the conversation never
// had one, when its last was at least every ago, or when trigger itself
// holds the claim (a retry). A yes is recorded before it is answered.
func (s *Store) ClaimAutoReply(ctx context.Context, conv uint64, trigger string, now time.Time, every time.Duration) (bool, error) {
	db := s.db.WithContext(ctx)
	var a AutoReply
	err := db.Take(&a, "conversation_id = ?", conv).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&AutoReply{ConversationID: conv, LastAt: now, TriggerID: trigger})
		return res.RowsAffected == 1, res.Error
	case err != nil:
		return false, err
	case a.TriggerID == trigger:
		return true, nil
	case now.Sub(a.LastAt) < every:
		return false, nil
	}
	// Compare-and-set on the claim read, so two claimants cannot both win.
	res := db.Model(&AutoReply{}).Where("conversation_id = ? AND trigger_id = ?", conv, a.TriggerID).
		Updates(map[string]any{"last_at": now, "trigger_id": trigger})
	return res.RowsAffected == 1, res.Error
}

// Outbox states of quiet hours (bridge/quiet.go): a thread reply typed in
// the recipient's quiet hours is held until a teammate sends it anyway
// (back to pending) or schedules it (rescheduled, final).
const (
	OutHeldQuiet   = "held_quiet"
	OutRescheduled = "rescheduled"
)

// AutoReplyKeyPrefix starts the outbox key of every auto-reply: they are
// outbound, but not an answer from the team.
const AutoReplyKeyPrefix = "send:autoreply:"

// PreviousMessage is the message of conversation conv just before message
// id, auto-replies left out, or ErrNotFound when there is none.
func (s *Store) PreviousMessage(ctx context.Context, conv, id uint64) (*Message, error) {
	var m Message
	err := s.db.WithContext(ctx).
		Where("conversation_id = ? AND id < ? AND (outbox_key IS NULL OR outbox_key NOT LIKE ?)", conv, id, AutoReplyKeyPrefix+"%").
		Order("id DESC").Take(&m).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// ScheduledMessage is a message a teammate scheduled. Telnyx takes send_at
// only 5 minutes to 5 days ahead, so a message due later is held here and
// handed to Telnyx when it comes into that window; one due sooner is handed
// over at once. Either way it is listed and cancelled from here.
type ScheduledMessage struct {
	ID uint64 `gorm:"primaryKey"`
	// From is our sender: a +E.164 number, a short code or an alphanumeric
	// sender ID; ProfileID is set for the number pool and alphanumeric senders.
	From      string `gorm:"size:32;not null"`
	ProfileID string `gorm:"size:64"`
	To        string `gorm:"size:32;not null"`
	Text      string
	// Media is a JSON array of URLs.
	Media  string
	SendAt time.Time `gorm:"not null;index:ix_sched_status_send,priority:2"`
	// Status is one of the Sched* constants.
	Status string `gorm:"size:16;not null;index:ix_sched_status_send,priority:1"`
	// TelnyxID is set once Telnyx has accepted the message.
	TelnyxID *string `gorm:"size:64;uniqueIndex"`
	// HandoffAt is when a hand-off to Telnyx was started (Status handing).
	HandoffAt     *time.Time
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	CreatedBy     string `gorm:"size:32"`
	CancelledBy   string `gorm:"size:32"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Scheduled message statuses. held → handing → handed is the happy path;
// a hand-off whose outcome is unknown (a crash or a timeout after the
// request was written) becomes unknown and is never resent automatically.
const (
	SchedHeld      = "held"      // waiting in smsbridge for the 5-day window
	SchedHanding   = "handing"   // a hand-off to Telnyx is in flight
	SchedHanded    = "handed"    // scheduled at Telnyx (TelnyxID set)
	SchedCancelled = "cancelled" // cancelled here or at Telnyx
	SchedFailed    = "failed"    // Telnyx refused it; LastError says why
	SchedUnknown   = "unknown"   // the hand-off may or may not have reached Telnyx
	SchedMissed    = "missed"    // smsbridge was down when it was due
)

// InsertScheduled stores a new scheduled message.
func (s *Store) InsertScheduled(ctx context.Context, m *ScheduledMessage) error {
	return s.db.WithContext(ctx).Create(m).Error
}

// Scheduled finds a scheduled message by id.
func (s *Store) Scheduled(ctx context.Context, id uint64) (*ScheduledMessage, error) {
	var m ScheduledMessage
	if err := s.db.WithContext(ctx).Take(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// ScheduledByTelnyxID finds a scheduled message by its Telnyx id.
func (s *Store) ScheduledByTelnyxID(ctx context.Context, telnyxID string) (*ScheduledMessage, error) {
	var m ScheduledMessage
	if err := s.db.WithContext(ctx).Where("telnyx_id = ?", telnyxID).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// PendingScheduled lists messages not yet sent: held, being handed over, or
// scheduled at Telnyx with send_at after now; soonest first.
func (s *Store) PendingScheduled(ctx context.Context, now time.Time, limit int) ([]ScheduledMessage, error) {
	ms, _, err := s.PendingScheduledPage(ctx, now, 0, limit)
	return ms, err
}

// PendingScheduledPage is one page of PendingScheduled, skipping offset,
// and how many are pending in all.
func (s *Store) PendingScheduledPage(ctx context.Context, now time.Time, offset, limit int) ([]ScheduledMessage, int64, error) {
	var ms []ScheduledMessage
	var total int64
	q := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&ScheduledMessage{}).
			Where("status IN ? OR (status = ? AND send_at > ?)", []string{SchedHeld, SchedHanding}, SchedHanded, now)
	}
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, err
	}
	err := q().Order("send_at, id").Offset(offset).Limit(limit).Find(&ms).Error
	return ms, total, err
}

// DueScheduled lists held messages whose send_at is before due and whose
// next attempt (after a failed hand-off) is not after now.
func (s *Store) DueScheduled(ctx context.Context, due, now time.Time, limit int) ([]ScheduledMessage, error) {
	var ms []ScheduledMessage
	err := s.db.WithContext(ctx).
		Where("status = ? AND send_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", SchedHeld, due, now).
		Order("send_at, id").Limit(limit).Find(&ms).Error
	return ms, err
}

// ScheduledInStatus lists messages in status (e.g. hand-offs a crash
// interrupted).
func (s *Store) ScheduledInStatus(ctx context.Context, status string) ([]ScheduledMessage, error) {
	var ms []ScheduledMessage
	err := s.db.WithContext(ctx).Where("status = ?", status).Order("id").Find(&ms).Error
	return ms, err
}

// UpdateScheduledIf sets fields of message id only while its status is
// from, and reports whether it did: the compare-and-set every transition
// goes through, so a hand-off and a cancel cannot both win.
func (s *Store) UpdateScheduledIf(ctx context.Context, id uint64, from string, fields map[string]any) (bool, error) {
	res := s.db.WithContext(ctx).Model(&ScheduledMessage{}).Where("id = ? AND status = ?", id, from).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// ScheduledTo lists the messages to number from any of froms (or from
// profile, for pool and sender-ID messages) that are still waiting: held,
// or handed to Telnyx and not yet due.
func (s *Store) ScheduledTo(ctx context.Context, number string, froms []string, profile string) ([]ScheduledMessage, error) {
	var ms []ScheduledMessage
	q := s.db.WithContext(ctx).Where(`"to" = ? AND status IN ?`, number, []string{SchedHeld, SchedHanded})
	if profile != "" {
		q = q.Where(`("from" IN ? OR profile_id = ?)`, append(froms, ""), profile)
	} else {
		q = q.Where(`"from" IN ?`, append(froms, ""))
	}
	return ms, q.Order("send_at, id").Find(&ms).Error
}

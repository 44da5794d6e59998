package outbox

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// InsertScheduled stores a new scheduled message.
func (s *Outbox) InsertScheduled(ctx context.Context, m *model.ScheduledMessage) error {
	return s.DB.WithContext(ctx).Create(m).Error
}

// Scheduled finds a scheduled message by id.
func (s *Outbox) Scheduled(ctx context.Context, id uint64) (*model.ScheduledMessage, error) {
	var m model.ScheduledMessage
	if err := s.DB.WithContext(ctx).Take(&m, id).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// ScheduledByTelnyxID finds a scheduled message by its Telnyx id.
func (s *Outbox) ScheduledByTelnyxID(ctx context.Context, telnyxID string) (*model.ScheduledMessage, error) {
	var m model.ScheduledMessage
	if err := s.DB.WithContext(ctx).Where("telnyx_id = ?", telnyxID).Take(&m).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// PendingScheduled lists messages not yet sent: held, being handed over, or
// scheduled at Telnyx with send_at after now; soonest first.
func (s *Outbox) PendingScheduled(ctx context.Context, now time.Time, limit int) ([]model.ScheduledMessage, error) {
	ms, _, err := s.PendingScheduledPage(ctx, now, 0, limit)
	return ms, err
}

// PendingScheduledPage is one page of PendingScheduled, skipping offset,
// and how many are pending in all.
func (s *Outbox) PendingScheduledPage(ctx context.Context, now time.Time, offset, limit int) ([]model.ScheduledMessage, int64, error) {
	var ms []model.ScheduledMessage
	var total int64
	q := func() *gorm.DB {
		return s.DB.WithContext(ctx).Model(&model.ScheduledMessage{}).
			Where("status IN ? OR (status = ? AND send_at > ?)", []string{model.SchedHeld, model.SchedHanding}, model.SchedHanded, now)
	}
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, err
	}
	err := q().Order("send_at, id").Offset(offset).Limit(limit).Find(&ms).Error
	return ms, total, err
}

// DueScheduled lists held messages whose send_at is before due and whose
// next attempt (after a failed hand-off) is not after now.
func (s *Outbox) DueScheduled(ctx context.Context, due, now time.Time, limit int) ([]model.ScheduledMessage, error) {
	var ms []model.ScheduledMessage
	err := s.DB.WithContext(ctx).
		Where("status = ? AND send_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)", model.SchedHeld, due, now).
		Order("send_at, id").Limit(limit).Find(&ms).Error
	return ms, err
}

// ScheduledInStatus lists messages in status (e.g. hand-offs a crash
// interrupted).
func (s *Outbox) ScheduledInStatus(ctx context.Context, status string) ([]model.ScheduledMessage, error) {
	var ms []model.ScheduledMessage
	err := s.DB.WithContext(ctx).Where("status = ?", status).Order("id").Find(&ms).Error
	return ms, err
}

// UpdateScheduledIf sets fields of message id only while its status is
// from, and reports whether it did: the compare-and-set every transition
// goes through, so a hand-off and a cancel cannot both win.
func (s *Outbox) UpdateScheduledIf(ctx context.Context, id uint64, from string, fields map[string]any) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&model.ScheduledMessage{}).Where("id = ? AND status = ?", id, from).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// ScheduledTo lists the messages to number from any of froms (or from
// profile, for pool and sender-ID messages) that are still waiting: held,
// or handed to Telnyx and not yet due.
func (s *Outbox) ScheduledTo(ctx context.Context, number string, froms []string, profile string) ([]model.ScheduledMessage, error) {
	var ms []model.ScheduledMessage
	q := s.DB.WithContext(ctx).Where(`"to" = ? AND status IN ?`, number, []string{model.SchedHeld, model.SchedHanded})
	if profile != "" {
		q = q.Where(`("from" IN ? OR profile_id = ?)`, append(froms, ""), profile)
	} else {
		q = q.Where(`"from" IN ?`, append(froms, ""))
	}
	return ms, q.Order("send_at, id").Find(&ms).Error
}

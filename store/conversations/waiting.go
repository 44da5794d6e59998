package conversations

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// A conversation waits for an answer from its first unanswered inbound text
// until the team answers (an outbound message Telnyx accepted), resolves it
// or it is closed. The columns that say so (migration 12) change in the
// transaction of the message or state change that changes them.

// InsertInbound stores the inbound message m unless one with its Telnyx id
// exists (then that one is loaded into m), and, when m is new, counts it
// against its conversation's waiting spell in the same transaction: the
// first unanswered text starts the spell (waiting since now, not yet
// signalled or nudged), later ones add to its count. It returns whether m
// is new and the conversation as it is after.
func (s *Conversations) InsertInbound(ctx context.Context, m *model.Message) (bool, *model.Conversation, error) {
	var inserted bool
	var conv model.Conversation
	now := s.Now()
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(m)
		if res.Error != nil {
			return res.Error
		}
		inserted = res.RowsAffected == 1
		if !inserted {
			id := *m.TelnyxID
			*m = model.Message{}
			if err := tx.Where("telnyx_id = ?", id).Take(m).Error; err != nil {
				return conn.NotFound(err)
			}
		} else {
			err := tx.Exec(`UPDATE conversations SET
				waiting_count = CASE WHEN waiting_since IS NULL THEN 1 ELSE waiting_count + 1 END,
				waiting_signaled = CASE WHEN waiting_since IS NULL THEN ? ELSE waiting_signaled END,
				nudged = CASE WHEN waiting_since IS NULL THEN ? ELSE nudged END,
				waiting_since = COALESCE(waiting_since, ?)
				WHERE id = ?`, false, false, now, m.ConversationID).Error
			if err != nil {
				return err
			}
		}
		return conn.NotFound(tx.Take(&conv, m.ConversationID).Error)
	})
	if err != nil {
		return false, nil, err
	}
	return inserted, &conv, nil
}

// NotWaiting are the fields that end a waiting spell; the header is due at
// now, so it stops saying "waiting" (the caller usually rewrites it at once).
func NotWaiting(now time.Time) map[string]any {
	return map[string]any{"waiting_since": nil, "waiting_count": 0, "waiting_signaled": false,
		"nudged": false, "header_due_at": now}
}

// RecordAnswer records that outbound message msgID was accepted (msgFields)
// and that it answers its conversation convID (convFields, e.g. the last
// activity), ending the conversation's waiting spell, in one transaction.
func (s *Conversations) RecordAnswer(ctx context.Context, msgID uint64, msgFields map[string]any, convID uint64, convFields map[string]any) error {
	fields := NotWaiting(s.Now())
	// Only a header that said "waiting" needs rewriting.
	fields["header_due_at"] = gorm.Expr("CASE WHEN waiting_since IS NULL THEN header_due_at ELSE ? END", s.Now())
	for k, v := range convFields {
		fields[k] = v
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&model.Message{}).Where("id = ?", msgID).Updates(msgFields)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return model.ErrNotFound
		}
		return tx.Model(&model.Conversation{}).Where("id = ?", convID).Updates(fields).Error
	})
}

// MarkSignaled records that the channel was shown the conversation's
// current waiting spell.
func (s *Conversations) MarkSignaled(ctx context.Context, id uint64) error {
	return s.DB.WithContext(ctx).Model(&model.Conversation{}).Where("id = ?", id).Update("waiting_signaled", true).Error
}

// sqlDueNudges is a seek of ix_conv_nudge: not yet nudged this spell and
// waiting since before a time, longest first.
const sqlDueNudges = `SELECT * FROM conversations WHERE nudged = ? AND waiting_since <= ? ORDER BY waiting_since LIMIT ?`

// DueNudges lists at most limit conversations that have waited since
// before and have not been nudged this spell, longest waiting first.
func (s *Conversations) DueNudges(ctx context.Context, before time.Time, limit int) ([]model.Conversation, error) {
	var cs []model.Conversation
	err := s.DB.WithContext(ctx).Raw(sqlDueNudges, false, before.UTC(), limit).Scan(&cs).Error
	return cs, err
}

// ClaimNudge takes conversation id's nudge for its current spell if it is
// still due (waiting since before, not nudged): of several replicas asking
// at once, exactly one gets true.
func (s *Conversations) ClaimNudge(ctx context.Context, id uint64, before time.Time) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&model.Conversation{}).
		Where("id = ? AND nudged = ? AND waiting_since <= ?", id, false, before.UTC()).
		Update("nudged", true)
	return res.RowsAffected == 1, res.Error
}

// sqlDueHeaders is a seek of ix_conv_header_due, most overdue first.
const sqlDueHeaders = `SELECT * FROM conversations WHERE header_due_at <= ? ORDER BY header_due_at LIMIT ?`

// DueHeaders lists at most limit conversations whose header is due for a
// rewrite at now, most overdue first.
func (s *Conversations) DueHeaders(ctx context.Context, now time.Time, limit int) ([]model.Conversation, error) {
	var cs []model.Conversation
	err := s.DB.WithContext(ctx).Raw(sqlDueHeaders, now.UTC(), limit).Scan(&cs).Error
	return cs, err
}

// ClaimHeader takes the due rewrite of conversation id's header, putting
// it off to retry (so a rewrite that fails, or a replica that dies, is
// tried again then): of several replicas, one gets true.
func (s *Conversations) ClaimHeader(ctx context.Context, id uint64, now, retry time.Time) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&model.Conversation{}).
		Where("id = ? AND header_due_at <= ?", id, now.UTC()).
		Update("header_due_at", retry.UTC())
	return res.RowsAffected == 1, res.Error
}

// HeaderShown records that conversation id's header was rewritten at
// shown, and when it is next due (nil: not until something changes).
func (s *Conversations) HeaderShown(ctx context.Context, id uint64, shown time.Time, next *time.Time) error {
	return s.DB.WithContext(ctx).Model(&model.Conversation{}).Where("id = ?", id).
		Updates(map[string]any{"header_at": shown, "header_due_at": next}).Error
}

// HeaderDue makes conversation id's header due at at, unless it is due
// sooner already.
func (s *Conversations) HeaderDue(ctx context.Context, id uint64, at time.Time) error {
	return s.DB.WithContext(ctx).Model(&model.Conversation{}).
		Where("id = ? AND (header_due_at IS NULL OR header_due_at > ?)", id, at.UTC()).
		Update("header_due_at", at.UTC()).Error
}

package work

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/model"
)

// Retention removes old history in small steps, so that ingest, which
// shares SQLite's one connection and PostgreSQL's locks, never waits long:
// each call is one short transaction over a window of at most
// RetentionBatch consecutive ids, walking from the oldest row towards the
// cutoff. Walking by primary key needs no index on the times (ids grow with
// them), so retention costs ingest nothing.
//
// What may go, and what never does:
//   - DeleteEvents: finished events (done, failed, ignored) received
//     before the cutoff, their raw webhooks with them, counts adjusted in
//     the same transaction. Never a pending one.
//   - DeleteMessages: messages created before the cutoff, except an
//     outbox entry still open (pending, sending, ambiguous, not_sent: work
//     or a person's decision waits on it).
//   - Never: conversations (their thread and open state), opt-out records,
//     scheduled messages, contacts, threads.

// RetentionBatch is how many consecutive ids one retention step covers.
const RetentionBatch = 500

// RetentionStep is where one step ended: Next is the id to pass to the next
// step, N how many rows it changed, More whether rows before the cutoff may
// remain past Next.
type RetentionStep struct {
	Next uint64
	N    int64
	More bool
}

var finished = []string{model.EventDone, model.EventFailed, model.EventIgnored}

// openOutbox are the outbox states retention keeps however old.
var openOutbox = []string{model.OutPending, model.OutSending, model.OutAmbiguous, model.OutNotSent}

// RetentionStart is the id before the oldest row of table ("events" or
// "messages"): where a walk begins.
func (s *Queue) RetentionStart(ctx context.Context, table string) (uint64, error) {
	var min sql.NullInt64
	err := s.DB.WithContext(ctx).Raw("SELECT MIN(id) FROM " + table).Scan(&min).Error
	if err != nil || !min.Valid || min.Int64 == 0 {
		return 0, err
	}
	return uint64(min.Int64) - 1, nil
}

// window is the ids (after, hi] of one step: at most RetentionBatch, and
// ending before the first row at or after the cutoff.
func window(tx *gorm.DB, table, timeCol string, after uint64, cutoff time.Time) (hi uint64, more bool, err error) {
	hi = after + RetentionBatch
	var stop sql.NullInt64
	if err := tx.Raw("SELECT MIN(id) FROM "+table+" WHERE id > ? AND id <= ? AND "+timeCol+" >= ?", after, hi, cutoff).Scan(&stop).Error; err != nil {
		return 0, false, err
	}
	if stop.Valid {
		return uint64(stop.Int64) - 1, false, nil
	}
	var max sql.NullInt64
	if err := tx.Raw("SELECT MAX(id) FROM " + table).Scan(&max).Error; err != nil {
		return 0, false, err
	}
	switch {
	case !max.Valid:
		return after, false, nil
	case uint64(max.Int64) <= hi:
		// End at the newest row, not past it: ids after it are given to
		// rows yet to come, which a later pass must not skip.
		return uint64(max.Int64), false, nil
	}
	return hi, true, nil
}

// DeleteEvents deletes finished events received before cutoff in the next
// window after after, and takes them off the counts.
func (s *Queue) DeleteEvents(ctx context.Context, after uint64, cutoff time.Time) (st RetentionStep, err error) {
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		hi, more, err := window(tx, "events", "received_at", after, cutoff)
		if err != nil {
			return err
		}
		st = RetentionStep{Next: hi, More: more}
		var rows []struct {
			Status string
			N      int64
		}
		where := "id > ? AND id <= ? AND received_at < ? AND status IN ?"
		if err := tx.Model(&model.Event{}).Select("status, COUNT(*) AS n").Where(where, after, hi, cutoff, finished).
			Group("status").Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		res := tx.Where(where, after, hi, cutoff, finished).Delete(&model.Event{})
		if res.Error != nil {
			return res.Error
		}
		st.N = res.RowsAffected
		deltas := map[string]int64{}
		for _, r := range rows {
			deltas[r.Status] = -r.N
		}
		return addCounts(tx, deltas)
	})
	return st, err
}

// DeleteMessages deletes messages created before cutoff in the next window
// after after, keeping open outbox entries.
func (s *Queue) DeleteMessages(ctx context.Context, after uint64, cutoff time.Time) (st RetentionStep, err error) {
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		hi, more, err := window(tx, "messages", "created_at", after, cutoff)
		if err != nil {
			return err
		}
		res := tx.Where("id > ? AND id <= ? AND created_at < ? AND NOT (direction = ? AND status IN ?)",
			after, hi, cutoff, model.Outbound, openOutbox).Delete(&model.Message{})
		st = RetentionStep{Next: hi, N: res.RowsAffected, More: more}
		return res.Error
	})
	return st, err
}

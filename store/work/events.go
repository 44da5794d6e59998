package work

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// ClaimLane takes the lease of the lane due soonest that nobody holds, for
// owner until now+lease. ok is false when no lane is due.
//
// On PostgreSQL, replicas claim at once without queuing behind each other:
// the lane is picked FOR UPDATE SKIP LOCKED, so a claimer passes over a
// lane another transaction is claiming (or releasing, or marking due) and
// takes the next, instead of every worker chasing the same soonest lane and
// the losers waiting on its row lock. SQLite has one writer, so there the
// pick and a compare-and-set in one transaction are enough.
func (s *Queue) ClaimLane(ctx context.Context, owner string, lease time.Duration) (name string, ok bool, err error) {
	now := s.Now()
	until := now.Add(lease)
	if !s.SQLite {
		var names []string
		err := s.DB.WithContext(ctx).Raw(`UPDATE lanes SET lease_owner = ?, lease_until = ?
			WHERE name = (SELECT name FROM lanes
				WHERE due_at IS NOT NULL AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)
				ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
			AND (lease_until IS NULL OR lease_until < ?)
			RETURNING name`, owner, until, now, now, now).Scan(&names).Error
		if err != nil || len(names) == 0 {
			return "", false, err
		}
		return names[0], true, nil
	}
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l model.Lane
		err := tx.Where("due_at IS NOT NULL AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)", now, now).
			Order("due_at").Limit(1).Take(&l).Error
		if err != nil {
			return err
		}
		res := tx.Model(&model.Lane{}).
			Where("name = ? AND (lease_until IS NULL OR lease_until < ?)", l.Name, now).
			Updates(map[string]any{"lease_owner": owner, "lease_until": until})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			name, ok = l.Name, true
		}
		return nil
	})
	if err != nil {
		if err = conn.NotFound(err); err == model.ErrNotFound {
			return "", false, nil
		}
		return "", false, err
	}
	return name, ok, nil
}

// RenewLease extends owner's lease of lane; it fails with ErrNotFound when
// owner no longer holds it.
func (s *Queue) RenewLease(ctx context.Context, lane, owner string, lease time.Duration) error {
	res := s.DB.WithContext(ctx).Model(&model.Lane{}).
		Where("name = ? AND lease_owner = ?", lane, owner).
		Update("lease_until", s.Now().Add(lease))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

// NextEvent is the oldest pending event of lane, or ErrNotFound.
func (s *Queue) NextEvent(ctx context.Context, lane string) (*model.Event, error) {
	var ev model.Event
	err := s.DB.WithContext(ctx).Where("lane = ? AND status = ?", lane, model.EventPending).Order("id").Take(&ev).Error
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &ev, nil
}

// NextEvents is up to n of lane's pending events, oldest first; none when
// the lane has nothing pending.
func (s *Queue) NextEvents(ctx context.Context, lane string, n int) ([]*model.Event, error) {
	var evs []*model.Event
	err := s.DB.WithContext(ctx).Where("lane = ? AND status = ?", lane, model.EventPending).Order("id").Limit(n).Find(&evs).Error
	return evs, err
}

// FinishEvent records that ev is done (or failed for good, with reason),
// and moves it from its old status's count to the new one's.
func (s *Queue) FinishEvent(ctx context.Context, id uint64, status, reason string) error {
	now := s.Now()
	if !s.SQLite && status != model.EventPending {
		// One round trip instead of four (BEGIN, the update, the counts,
		// COMMIT): the compare-and-set from pending and the move of its
		// count in one statement, which PostgreSQL runs as one transaction.
		// The count rows are written in status order, as addCounts does.
		// Nothing returned: the event was not pending; the general path
		// below reads what it was.
		var moved []string
		err := s.DB.WithContext(ctx).Raw(`WITH finished AS (
				UPDATE events SET status = ?, last_error = ?, done_at = ? WHERE id = ? AND status = ? RETURNING 1)
			INSERT INTO event_counts (status, shard, n)
			SELECT v.status, CAST(? AS integer), v.n FROM (VALUES (CAST(? AS text), -1), (CAST(? AS text), 1)) AS v(status, n)
			WHERE EXISTS (SELECT 1 FROM finished) ORDER BY v.status
			ON CONFLICT (status, shard) DO UPDATE SET n = event_counts.n + excluded.n
			RETURNING event_counts.status`,
			status, reason, now, id, model.EventPending, rand.IntN(countShards), model.EventPending, status).Scan(&moved).Error
		if err != nil || len(moved) > 0 {
			return err
		}
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The engine finishes pending events: a compare-and-set from
		// pending knows the old status without reading it first.
		res := tx.Model(&model.Event{}).Where("id = ? AND status = ?", id, model.EventPending).
			Updates(map[string]any{"status": status, "last_error": reason, "done_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			if status == model.EventPending {
				return nil
			}
			return addCounts(tx, map[string]int64{model.EventPending: -1, status: 1})
		}
		var ev model.Event
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("status").Where("id = ?", id).Take(&ev).Error; err != nil {
			return conn.NotFound(err)
		}
		err := tx.Model(&model.Event{}).Where("id = ?", id).
			Updates(map[string]any{"status": status, "last_error": reason, "done_at": now}).Error
		if err != nil || ev.Status == status {
			return err
		}
		return addCounts(tx, map[string]int64{ev.Status: -1, status: 1})
	})
}

// RetryEvent records a failed attempt and puts the lane's next try at next.
// The lane's lease is released so any worker may take it then.
func (s *Queue) RetryEvent(ctx context.Context, ev *model.Event, next time.Time, reason, owner string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&model.Event{}).Where("id = ?", ev.ID).Updates(map[string]any{
			"attempts": gorm.Expr("attempts + 1"), "next_attempt_at": next, "last_error": reason,
		}).Error
		if err != nil {
			return err
		}
		return tx.Model(&model.Lane{}).Where("name = ? AND lease_owner = ?", ev.Lane, owner).
			Updates(map[string]any{"due_at": next, "lease_owner": "", "lease_until": nil}).Error
	})
}

// DeferEvent puts off ev, which did not fail but must wait (for its
// sender's budget), until next: like RetryEvent, but no attempt is counted,
// so waiting its turn never uses up the event's attempts.
func (s *Queue) DeferEvent(ctx context.Context, ev *model.Event, next time.Time, reason, owner string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&model.Event{}).Where("id = ?", ev.ID).Updates(map[string]any{
			"next_attempt_at": next, "last_error": reason,
		}).Error
		if err != nil {
			return err
		}
		return tx.Model(&model.Lane{}).Where("name = ? AND lease_owner = ?", ev.Lane, owner).
			Updates(map[string]any{"due_at": next, "lease_owner": "", "lease_until": nil}).Error
	})
}

// ReleaseLane gives up owner's lease. If the lane has no pending event left
// it goes idle; otherwise it stays due for the next worker.
func (s *Queue) ReleaseLane(ctx context.Context, lane, owner string) error {
	now := any(s.Now())
	if !s.SQLite {
		// PostgreSQL cannot infer the type of a bind parameter inside CASE.
		now = gorm.Expr("CAST(? AS timestamptz)", now)
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Lock the lane row first. An insert commits its event and marks
		// the lane due in one transaction that also locks this row, so once
		// we hold the lock either that insert has committed (and the update
		// below, a new snapshot, sees its event) or it waits for us and
		// then marks the lane due again. Without the lock, PostgreSQL could
		// idle a lane whose new event it did not yet see: a lost wake-up.
		// (SQLite has one writer, so there it is already serial; its
		// dialect leaves FOR UPDATE out.)
		var l model.Lane
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("name = ?", lane).Take(&l).Error; err != nil {
			return conn.NotFound(err)
		}
		var due []bool
		err := tx.Raw(`UPDATE lanes SET lease_owner = '', lease_until = NULL,
			due_at = CASE WHEN EXISTS (SELECT 1 FROM events WHERE events.lane = lanes.name AND events.status = ?) THEN ? ELSE NULL END
			WHERE name = ? AND lease_owner = ? RETURNING due_at IS NOT NULL`, model.EventPending, now, lane, owner).Scan(&due).Error
		if err != nil || len(due) == 0 || !due[0] {
			return err
		}
		// Still work in it: any replica's idle worker may take it.
		return notifyWork(tx)
	})
}

// OldestPendingAge is how long the oldest pending event has waited; zero
// when nothing is pending.
func (s *Queue) OldestPendingAge(ctx context.Context) (time.Duration, error) {
	var ev model.Event
	err := oldestPending(s.DB.WithContext(ctx), &ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return s.Now().Sub(ev.ReceivedAt), nil
}

// oldestPending reads the oldest pending event into ev: one seek of
// ix_events_status_id (status, id), whatever the table's size.
func oldestPending(db *gorm.DB, ev *model.Event) *gorm.DB {
	return db.Select("received_at").Where("status = ?", model.EventPending).Order("id").Take(ev)
}

// PendingAfter lists up to limit pending events of lane after the event
// with id after, in order: the work queued behind the one in hand (a
// handler that does several at once, like coalesced inbound texts).
func (s *Queue) PendingAfter(ctx context.Context, lane string, after uint64, limit int) ([]model.Event, error) {
	var evs []model.Event
	err := s.DB.WithContext(ctx).Where("lane = ? AND status = ? AND id > ?", lane, model.EventPending, after).
		Order("id").Limit(limit).Find(&evs).Error
	return evs, err
}

package budgets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
)

// Budgets are token buckets kept in the database, so that every replica
// draws from the same one (invariant 12). Each is GCRA (the generic cell
// rate algorithm): one timestamp per key, tat, says when the bucket would be
// empty again; a take at now is allowed once tat - (burst-1)·interval is not
// after now, and moves tat on by one interval. The rate and burst are the
// caller's, per call, so a changed setting takes effect at once.
//
// Every take locks the budget's row (SELECT … FOR UPDATE on PostgreSQL;
// SQLite has one writer and opens its transactions IMMEDIATE), so
// concurrent takers are serialised and never get more than
// rate·t + burst between them.

// budgetRow is what a take reads of a budget (columns of migration 8).
type budgetRow struct {
	TAT         time.Time
	PausedUntil *time.Time
}

// staleHold is how long after its slot a reservation nobody came back for
// (the message was refused, or its work failed) is kept before it is swept.
const staleHold = time.Hour

// TakeToken takes one token of key's budget (perSecond tokens a second, up
// to burst at once) and returns 0, or takes nothing and returns how long
// until one is available. Callers that wait and ask again compete afresh;
// ReserveToken keeps their place instead.
func (s *Budgets) TakeToken(ctx context.Context, key string, perSecond float64, burst int) (wait time.Duration, err error) {
	return s.take(ctx, key, "", perSecond, burst)
}

// ReserveToken is TakeToken for a caller that will come back, named by
// holder (an outbox entry: "msg:42"). When no token is free now it books the
// next free slot for holder and returns how long until then; holder asking
// again before the slot gets the time left, and at or after it gets its
// token (wait 0) without competing again. Slots are handed out one interval
// apart in the order asked, so a queue of waiters drains at the budget's
// rate, each coming back once. A slot nobody comes back for is one interval
// of the budget unused, and is swept after an hour.
func (s *Budgets) ReserveToken(ctx context.Context, key, holder string, perSecond float64, burst int) (wait time.Duration, err error) {
	if holder == "" {
		return 0, errors.New("store: ReserveToken needs a holder")
	}
	return s.take(ctx, key, holder, perSecond, burst)
}

func (s *Budgets) take(ctx context.Context, key, holder string, perSecond float64, burst int) (time.Duration, error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 0) {
		return 0, fmt.Errorf("store: budget %q: rate %v per second is not a positive number", key, perSecond)
	}
	burst = max(burst, 1)
	interval := time.Duration(float64(time.Second) / perSecond)
	tau := interval * time.Duration(burst-1)
	now := s.Now()
	var wait time.Duration
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := s.lockBudget(tx, key, now)
		if err != nil {
			return err
		}
		if holder != "" {
			var holds []time.Time
			if err := tx.Raw("SELECT at FROM budget_holds WHERE budget_key = ? AND holder = ?", key, holder).Pluck("at", &holds).Error; err != nil {
				return err
			}
			if len(holds) == 1 {
				at := holds[0]
				if row.PausedUntil != nil && row.PausedUntil.After(at) {
					at = *row.PausedUntil // a pause came after the slot was booked
				}
				if at.After(now) {
					wait = at.Sub(now)
					return nil
				}
				return tx.Exec("DELETE FROM budget_holds WHERE budget_key = ? AND holder = ?", key, holder).Error
			}
		}
		tat := row.TAT
		if tat.Before(now) {
			tat = now
		}
		allow := tat.Add(-tau)
		if row.PausedUntil != nil && row.PausedUntil.After(allow) {
			// After a pause the bucket starts empty: no burst at its end.
			allow = *row.PausedUntil
			tat = allow.Add(tau)
		}
		if allow.After(now) && holder == "" {
			wait = allow.Sub(now)
			return nil // nothing taken, nothing changed
		}
		if err := tx.Exec("UPDATE budgets SET tat = ?, updated_at = ? WHERE key = ?", tat.Add(interval), now, key).Error; err != nil {
			return err
		}
		if !allow.After(now) {
			return nil // taken: go now
		}
		wait = allow.Sub(now)
		if err := tx.Exec("DELETE FROM budget_holds WHERE budget_key = ? AND at < ?", key, now.Add(-staleHold)).Error; err != nil {
			return err
		}
		return tx.Exec("INSERT INTO budget_holds (budget_key, holder, at) VALUES (?, ?, ?)", key, holder, allow).Error
	})
	if err != nil {
		return 0, fmt.Errorf("take from budget %q: %w", key, err)
	}
	return wait, nil
}

// lockBudget makes key's budget row if it has none (a full bucket) and
// reads it under a row lock held to the end of tx.
func (s *Budgets) lockBudget(tx *gorm.DB, key string, now time.Time) (*budgetRow, error) {
	err := tx.Exec("INSERT INTO budgets (key, tat, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING", key, now, now).Error
	if err != nil {
		return nil, err
	}
	q := "SELECT tat, paused_until FROM budgets WHERE key = ?"
	if !s.SQLite {
		q += " FOR UPDATE"
	}
	var row budgetRow
	if err := tx.Raw(q, key).Scan(&row).Error; err != nil {
		return nil, err
	}
	row.TAT = row.TAT.UTC()
	if row.PausedUntil != nil {
		p := row.PausedUntil.UTC()
		row.PausedUntil = &p
	}
	return &row, nil
}

// PauseBudget stops key's budget from giving tokens until until (a 429's
// reset, a full queue): the whole sender slows down, not only the caller
// that was refused. Slots already booked slide back by the pause, keeping
// their order and spacing, and the bucket starts empty when it ends, so
// what waited does not all leave at once. A pause that ends sooner than
// one already set changes nothing.
func (s *Budgets) PauseBudget(ctx context.Context, key string, until time.Time) error {
	now := s.Now()
	until = until.UTC()
	if !until.After(now) {
		return nil
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := s.lockBudget(tx, key, now)
		if err != nil {
			return err
		}
		if row.PausedUntil != nil && !until.After(*row.PausedUntil) {
			return nil
		}
		shift := until.Sub(now)
		if row.PausedUntil != nil && row.PausedUntil.After(now) {
			shift = until.Sub(*row.PausedUntil) // only the part that is new
		}
		tat := row.TAT
		if tat.Before(now) {
			tat = now
		}
		if err := tx.Exec("UPDATE budgets SET tat = ?, paused_until = ?, updated_at = ? WHERE key = ?", tat.Add(shift), until, now, key).Error; err != nil {
			return err
		}
		var holds []struct {
			Holder string
			At     time.Time
		}
		if err := tx.Raw("SELECT holder, at FROM budget_holds WHERE budget_key = ?", key).Scan(&holds).Error; err != nil {
			return err
		}
		for _, h := range holds {
			at := h.At.UTC()
			if at.Before(now) {
				at = now
			}
			if err := tx.Exec("UPDATE budget_holds SET at = ? WHERE budget_key = ? AND holder = ?", at.Add(shift), key, h.Holder).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pause budget %q: %w", key, err)
	}
	return nil
}

package work

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// On PostgreSQL, committing work wakes idle workers on every replica at
// once: the transaction that makes a lane due also sends a notification on
// NotifyChannel (delivered at commit, so a woken worker sees the work), and
// each replica listens on a connection of its own. The workers' poll stays
// as the fallback for anything missed (a reconnect, a lane whose retry
// time comes). SQLite has one process; its engine is woken in memory.

// NotifyChannel is the PostgreSQL notification channel of new work: every
// replica listens on it, and a transaction that makes a lane due notifies it.
const NotifyChannel = "smsbridge_work"

// notifyWork queues the wake-up in tx; PostgreSQL sends it at commit and
// folds repeats within one transaction into one.
func notifyWork(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec("SELECT pg_notify(?, '')", NotifyChannel).Error
}

// ListenForWork calls wake whenever another transaction (this replica's or
// another's) commits work, until ctx ends. On SQLite it returns at once. A
// lost connection is made again, with backoff, and wake is called after
// each (re)connection because a notification sent meanwhile was missed.
func (s *Queue) ListenForWork(ctx context.Context, log *slog.Logger, wake func()) {
	if s.SQLite {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listen(ctx, wake, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		log.Warn("work notifications lost; reconnecting (workers poll meanwhile)", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Queue) listen(ctx context.Context, wake, connected func()) error {
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return err
	}
	connected()
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}

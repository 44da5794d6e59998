package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Group commit for InsertEvent. SQLite commits one transaction at a time;
// webhooks arriving together would each pay for a commit of their own while
// the others queue. Instead one goroutine takes every insert that is waiting,
// writes them in one transaction and answers each caller after the commit,
// so a caller still returns only once its event is durable. Under light load
// a batch is a single event and costs nothing extra.

const maxBatch = 256

// ErrClosed is returned for work asked of a closed store.
var ErrClosed = errors.New("store is closed")

type insertReq struct {
	ev   *Event
	done chan insertRes
}

type insertRes struct {
	inserted bool
	err      error
}

func (s *Store) startIngest() {
	s.ingest = make(chan insertReq, maxBatch)
	s.ingestDone = make(chan struct{})
	go s.ingestLoop()
}

// stopIngest ends the loop after the inserts already queued; later
// InsertEvent calls fail with ErrClosed. It is safe to call twice.
func (s *Store) stopIngest() {
	s.ingestMu.Lock()
	if !s.closed {
		s.closed = true
		close(s.ingest)
	}
	s.ingestMu.Unlock()
	<-s.ingestDone
}

func (s *Store) ingestLoop() {
	defer close(s.ingestDone)
	batch := make([]insertReq, 0, maxBatch)
	for first := range s.ingest {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.ingest:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
	}
}

// commitBatch writes a batch in one transaction. If the transaction fails,
// each event is retried alone so that one bad event cannot fail the others.
func (s *Store) commitBatch(batch []insertReq) {
	now := s.Now()
	results := make([]insertRes, len(batch))
	err := s.db.Transaction(func(tx *gorm.DB) error {
		for i, r := range batch {
			ok, err := insertEventTx(tx, r.ev, now)
			if err != nil {
				return err
			}
			results[i].inserted = ok
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for i, r := range batch {
			results[i] = insertRes{}
			results[i].err = s.db.Transaction(func(tx *gorm.DB) error {
				ok, err := insertEventTx(tx, r.ev, now)
				results[i].inserted = ok
				return err
			})
		}
	} else if err != nil {
		results[0].err = err
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

func insertEventTx(tx *gorm.DB, ev *Event, now time.Time) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(ev)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if ev.Status != EventPending {
		return true, nil
	}
	return true, markLaneDue(tx, ev.Lane, now)
}

// InsertEvent stores ev unless an event with the same (Source, ExternalID)
// exists, and marks its lane due. It reports whether ev was new. Both happen
// in one transaction, and it returns only after that transaction committed,
// so an acknowledged event always has its work queued.
func (s *Store) InsertEvent(ctx context.Context, ev *Event) (bool, error) {
	now := s.Now()
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = now
	}
	if ev.Status == "" {
		ev.Status = EventPending
		if ev.Lane == "" {
			ev.Status = EventIgnored
		}
	}
	if ev.NextAttemptAt.IsZero() {
		ev.NextAttemptAt = now
	}
	r := insertReq{ev: ev, done: make(chan insertRes, 1)}
	s.ingestMu.RLock()
	if s.closed {
		s.ingestMu.RUnlock()
		return false, ErrClosed
	}
	select {
	case s.ingest <- r:
		s.ingestMu.RUnlock()
	case <-ctx.Done():
		s.ingestMu.RUnlock()
		return false, ctx.Err()
	}
	// Once queued the insert will be committed or fail; wait for the answer
	// even if ctx ends, so the caller never reports failure for an event
	// that was in fact stored.
	res := <-r.done
	return res.inserted, res.err
}

package work

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/model"
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
	ev   *model.Event
	done chan insertRes
}

type insertRes struct {
	inserted bool
	err      error
}

func (s *Queue) startIngest() {
	s.ingest = make(chan insertReq, maxBatch)
	s.ingestDone = make(chan struct{})
	go s.ingestLoop()
}

// StopIngest ends the loop after the inserts already queued; later
// InsertEvent calls fail with ErrClosed. It is safe to call twice.
func (s *Queue) StopIngest() {
	s.ingestMu.Lock()
	if !s.closed {
		s.closed = true
		close(s.ingest)
	}
	s.ingestMu.Unlock()
	<-s.ingestDone
}

func (s *Queue) ingestLoop() {
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

// commitBatch writes a batch in one transaction of two statements: one
// multi-row insert-or-ignore of the events (RETURNING tells which were new)
// and one multi-row upsert of their lanes. If the transaction fails, each
// event is retried alone so that one bad event cannot fail the others.
func (s *Queue) commitBatch(batch []insertReq) {
	now := s.Now()
	results := make([]insertRes, len(batch))
	err := s.DB.Transaction(func(tx *gorm.DB) error { return insertEvents(tx, batch, results, now) })
	if err != nil && len(batch) > 1 {
		for i := range batch {
			one := make([]insertRes, 1)
			err := s.DB.Transaction(func(tx *gorm.DB) error { return insertEvents(tx, batch[i:i+1], one, now) })
			results[i] = insertRes{inserted: one[0].inserted, err: err}
		}
	} else if err != nil {
		results[0].err = err
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// insertEvents writes batch in tx: the events (insert-or-ignore), their
// counts, and the lanes of the new pending ones marked due.
func insertEvents(tx *gorm.DB, batch []insertReq, results []insertRes, now time.Time) error {
	ids, err := insertEventRows(tx, batch)
	if err != nil {
		return err
	}
	var lanes []string
	seen := map[string]bool{}
	counts := map[string]int64{}
	for i, r := range batch {
		k := [2]string{r.ev.Source, r.ev.ExternalID}
		id, ok := ids[k]
		if !ok {
			continue
		}
		delete(ids, k) // a second copy in the same batch is a duplicate
		r.ev.ID = id
		results[i].inserted = true
		counts[r.ev.Status]++
		if r.ev.Status == model.EventPending && !seen[r.ev.Lane] {
			seen[r.ev.Lane] = true
			lanes = append(lanes, r.ev.Lane)
		}
	}
	if err := addCounts(tx, counts); err != nil {
		return err
	}
	if len(lanes) == 0 {
		return nil
	}
	return markLanesDue(tx, lanes, now)
}

// insertEventRows is one multi-row insert-or-ignore of batch's events; it
// answers the ids of those that were new, by (source, external id).
func insertEventRows(tx *gorm.DB, batch []insertReq) (map[[2]string]uint64, error) {
	var sb strings.Builder
	args := make([]any, 0, len(batch)*8)
	sb.WriteString(`INSERT INTO events (source, external_id, type, lane, status, payload, attempts, next_attempt_at, last_error, received_at) VALUES `)
	for i, r := range batch {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?,?,?,?,0,?,'',?)")
		e := r.ev
		args = append(args, e.Source, e.ExternalID, e.Type, e.Lane, e.Status, e.Payload, e.NextAttemptAt, e.ReceivedAt)
	}
	sb.WriteString(` ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id`)
	rows, err := tx.Raw(sb.String(), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[[2]string]uint64{}
	for rows.Next() {
		var id uint64
		var src, ext string
		if err := rows.Scan(&id, &src, &ext); err != nil {
			return nil, err
		}
		ids[[2]string{src, ext}] = id
	}
	return ids, rows.Err()
}

// markLanesDue makes lanes due now in one multi-row upsert, and wakes the
// replicas' workers when one of them was idle.
func markLanesDue(tx *gorm.DB, lanes []string, now time.Time) error {
	var sb strings.Builder
	args := make([]any, 0, 2*len(lanes))
	sb.WriteString(`INSERT INTO lanes (name, due_at, lease_owner) VALUES `)
	for i, l := range lanes {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,'')")
		args = append(args, l, now)
	}
	// An idle lane (due_at NULL) becomes due now. A lane that is due
	// already stays so, and one waiting out a retry (due_at in the future:
	// a 429's Retry-After, a reset) keeps its wait: its head event must go
	// first, and a new event must not cut the wait short (invariant 11).
	// Those are left unwritten (the WHERE; the row is still locked, which
	// ReleaseLane relies on), and RETURNING names only the lanes that
	// became due.
	sb.WriteString(` ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at WHERE lanes.due_at IS NULL RETURNING name`)
	var woke []string
	if err := tx.Raw(sb.String(), args...).Scan(&woke).Error; err != nil {
		return err
	}
	// Only a lane that became due needs a worker woken on every replica:
	// one due already is found by the worker holding it (which reads the
	// lane again before letting it go) or by the next worker that claims;
	// one waiting has its own time. Under a burst most conversations are
	// due already, so most batches wake no one.
	if len(woke) == 0 {
		return nil
	}
	return notifyWork(tx)
}

// InsertEvent stores ev unless an event with the same (Source, ExternalID)
// exists, and marks its lane due unless it is due or waiting already. It reports whether ev was new. Both happen
// in one transaction, and it returns only after that transaction committed,
// so an acknowledged event always has its work queued.
func (s *Queue) InsertEvent(ctx context.Context, ev *model.Event) (bool, error) {
	now := s.Now()
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = now
	}
	if ev.Status == "" {
		ev.Status = model.EventPending
		if ev.Lane == "" {
			ev.Status = model.EventIgnored
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

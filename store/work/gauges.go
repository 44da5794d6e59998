package work

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// Gauges is what /metrics shows of the store (events by status, the oldest
// pending event), read from the database off the request path: Run reads
// it every interval, and a scrape only copies what was read. A scrape then
// costs the same at any size and never waits for a database connection
// (SQLite has one, which the ingest and the workers hold most of the time
// under load; a scrape queuing for it took 9–19 ms), and a scraper asking
// every second adds no load of its own. The figures are at most one
// interval old; the oldest pending event's age is computed at the scrape
// from when it was received, so it keeps growing between reads.
type Gauges struct {
	st *Queue
	mu sync.Mutex
	// read is false until the first read succeeded.
	read   bool
	counts map[string]int64
	// oldest is when the oldest pending event was received; zero when
	// nothing is pending.
	oldest time.Time
}

// ErrNotRead is what Gauges answer before their first read.
var ErrNotRead = errors.New("not read from the database yet")

// NewGauges makes gauges of s; nothing is read until Refresh or Run.
func (s *Queue) NewGauges() *Gauges { return &Gauges{st: s} }

// Refresh reads the gauges from the database now: the kept counts (a few
// rows) and one seek of the status index.
func (g *Gauges) Refresh(ctx context.Context) error {
	counts, err := g.st.EventCounts(ctx)
	if err != nil {
		return err
	}
	var ev model.Event
	var oldest time.Time
	err = oldestPending(g.st.DB.WithContext(ctx), &ev).Error
	switch {
	case err == nil:
		oldest = ev.ReceivedAt
	case !errors.Is(conn.NotFound(err), model.ErrNotFound):
		return err
	}
	g.mu.Lock()
	g.read, g.counts, g.oldest = true, counts, oldest
	g.mu.Unlock()
	return nil
}

// Run reads the gauges at once and then every interval until ctx ends. A
// failed read is logged and the last figures stay.
func (g *Gauges) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := g.Refresh(ctx); err != nil && ctx.Err() == nil {
			log.Warn("read metrics from the database", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EventCounts is the number of stored events by status as last read.
func (g *Gauges) EventCounts(context.Context) (map[string]int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.read {
		return nil, ErrNotRead
	}
	return maps.Clone(g.counts), nil
}

// OldestPendingAge is how long the oldest pending event (as last read) has
// waited by now; zero when nothing was pending.
func (g *Gauges) OldestPendingAge(context.Context) (time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.read {
		return 0, ErrNotRead
	}
	if g.oldest.IsZero() {
		return 0, nil
	}
	return g.st.Now().Sub(g.oldest), nil
}

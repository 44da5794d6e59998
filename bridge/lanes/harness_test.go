package lanes

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// harness is an engine on a store with a clock that stands still, as the
// bridge's tests have it.
type harness struct {
	t      *testing.T
	st     *store.Store
	engine *Engine
	clock  *testClock
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, clock: &testClock{t: time.Date(2026, 8, 20, 15, 0, 0, 0, time.UTC)}}
	st, err := store.Open(context.Background(), testdb.URL(t), store.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	h.engine = New(st, slog.New(slog.DiscardHandler), Config{Workers: 3, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	return h
}

// drain runs the engine until no lane is due (the clock is frozen, so
// retries with backoff become due when the clock is advanced).
func (h *harness) drain() {
	h.t.Helper()
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		lane, ok, err := h.st.ClaimLane(ctx, "test", time.Minute)
		if err != nil {
			h.t.Fatal(err)
		}
		if !ok {
			return
		}
		h.engine.RunLane(ctx, lane, "test")
		h.clock.Advance(10 * time.Millisecond)
	}
	h.t.Fatal("engine did not settle")
}

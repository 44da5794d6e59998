package lanes

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge/pace"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

// A lane waiting its sender's turn, however many times, is not failing: it
// uses none of its attempts and is not backed off.
func TestEngineWaitingForABudgetUsesNoAttempts(t *testing.T) {
	h := newHarness(t)
	h.engine.cfg.MaxAttempts = 3
	calls := 0
	h.engine.Handle("test", "paced", func(ctx context.Context, ev *store.Event) error {
		calls++
		if calls <= 10 {
			return &pace.Waiting{From: "+13125550100", At: h.st.Now().Add(5 * time.Millisecond)}
		}
		return nil
	})
	ctx := context.Background()
	if _, err := h.st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "e1", Type: "paced", Lane: "conv:x"}); err != nil {
		t.Fatal(err)
	}
	h.drain()
	var ev store.Event
	if err := h.st.DB().Where("external_id = ?", "e1").Take(&ev).Error; err != nil {
		t.Fatal(err)
	}
	if ev.Status != store.EventDone || ev.Attempts != 0 || calls != 11 {
		t.Fatalf("status %s after %d calls, %d attempts counted; want done, 11 calls, 0 attempts", ev.Status, calls, ev.Attempts)
	}
}

// A lane put off for its sender's turn is taken again at that time, not at
// the next poll: at 20 sends a second a 1 s poll would cap a sender at one.
func TestEngineTakesAPacedLaneAtItsTimeNotTheNextPoll(t *testing.T) {
	st, err := store.Open(context.Background(), testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng := New(st, slog.New(slog.DiscardHandler), Config{Workers: 1, PollInterval: time.Hour})
	done := make(chan struct{})
	calls := 0
	eng.Handle("test", "paced", func(ctx context.Context, ev *store.Event) error {
		if calls++; calls == 1 {
			return &pace.Waiting{From: "+13125550100", At: st.Now().Add(50 * time.Millisecond)}
		}
		close(done)
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); eng.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	if _, err := st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "e1", Type: "paced", Lane: "conv:x"}); err != nil {
		t.Fatal(err)
	}
	eng.Notify()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a lane paced for 50ms was not taken again within 5s (the poll is an hour)")
	}
}

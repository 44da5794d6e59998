package lanes

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// runEngine runs eng until the test ends.
func runEngine(t *testing.T, eng *Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func insertWork(t *testing.T, st *store.Store, id, lane string) {
	t.Helper()
	if _, err := st.InsertEvent(context.Background(), &store.Event{Source: "test", ExternalID: id, Type: "work", Lane: lane}); err != nil {
		t.Fatal(err)
	}
}

// A process SIGKILLed while it held lanes left leases a minute long; restarted
// under the same instance id, it works those lanes at once, without waiting.
func TestRestartUnderTheSameInstanceTakesItsLeasesBackAtOnce(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, testdb.URL(t))
	insertWork(t, st, "e1", "conv:a")
	// The dead predecessor: it held the id, beat a moment ago, and leased
	// the lane for a minute.
	if taken, _, err := st.TakeInstance(ctx, "box", "deadbeef", ""); err != nil || !taken {
		t.Fatalf("predecessor did not take the id: %v %v", taken, err)
	}
	if _, ok, err := st.ClaimLane(ctx, store.OwnerPrefix("box")+"deadbeef/0", time.Minute); err != nil || !ok {
		t.Fatalf("predecessor did not claim the lane: %v %v", ok, err)
	}

	done := make(chan string, 1)
	eng := New(st, slog.New(slog.DiscardHandler), Config{Workers: 2, Lease: time.Minute,
		PollInterval: 10 * time.Millisecond, Instance: "box", InstanceBeat: 50 * time.Millisecond})
	eng.Handle("test", "work", func(_ context.Context, ev *store.Event) error { done <- ev.ExternalID; return nil })
	start := time.Now()
	runEngine(t, eng)
	select {
	case <-done:
		t.Logf("restart took its lane back after %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the restarted process waited for its own earlier lease")
	}
}

// Two live processes given the same instance id: the second must not take
// the first one's lanes while it works them.
func TestASecondLiveProcessWithTheSameInstanceIDLeavesTheFirstsLanesAlone(t *testing.T) {
	url := testdb.URL(t)
	st1, st2 := openStore(t, url), openStore(t, url)
	insertWork(t, st1, "e1", "conv:a")
	entered := make(chan string, 4)
	release := make(chan struct{})
	handler := func(name string) Handler {
		return func(ctx context.Context, ev *store.Event) error {
			entered <- name
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
	}
	cfg := Config{Workers: 1, Lease: time.Minute, PollInterval: 10 * time.Millisecond, Instance: "box", InstanceBeat: 50 * time.Millisecond}
	first := New(st1, slog.New(slog.DiscardHandler), cfg)
	first.Handle("test", "work", handler("first"))
	runEngine(t, first)
	if who := <-entered; who != "first" {
		t.Fatalf("%s took the lane", who)
	}
	second := New(st2, slog.New(slog.DiscardHandler), cfg)
	second.Handle("test", "work", handler("second"))
	runEngine(t, second)
	select {
	case who := <-entered:
		t.Fatalf("%s worked the lane the first process still holds", who)
	case <-time.After(time.Second):
	}
	if strings.HasPrefix(second.owner, store.OwnerPrefix("box")) {
		t.Fatalf("the second process runs as %q, the first one's id", second.owner)
	}
	close(release)
}

// When the lease of a lane is gone mid-event (another worker has it), the
// handler is stopped rather than left to repeat what the new holder does,
// and the event is not counted as a failed attempt.
func TestALostLeaseStopsItsHandler(t *testing.T) {
	st := openStore(t, testdb.URL(t))
	insertWork(t, st, "e1", "conv:a")
	entered, stopped := make(chan struct{}), make(chan struct{})
	eng := New(st, slog.New(slog.DiscardHandler), Config{Workers: 1, Lease: 300 * time.Millisecond, PollInterval: time.Hour})
	eng.Handle("test", "work", func(ctx context.Context, ev *store.Event) error {
		close(entered)
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); eng.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	<-entered
	if err := st.DB().Model(&store.Lane{}).Where("name = ?", "conv:a").Update("lease_owner", "someone-else").Error; err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("the handler kept running after its lease was lost")
	}
	cancel()
	<-ran // the worker has recorded whatever it would
	ev, err := st.NextEvent(context.Background(), "conv:a")
	if err != nil || ev.Attempts != 0 {
		t.Fatalf("event after a lost lease: %+v %v, want pending with no attempt counted", ev, err)
	}
}

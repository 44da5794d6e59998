package lanes

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

// Three replicas (an engine on a store of its own each) share one
// PostgreSQL: together they do every event exactly once, in order per lane,
// and never work one lane in two places at once. Their poll is an hour, so
// every wake-up here is a notification from the store that committed.
func TestEnginesOnOneDatabaseNeverWorkALaneTwiceAtOnce(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("replicas share PostgreSQL")
	}
	url := testdb.URL(t)
	const replicas, lanes, perLane = 3, 30, 5
	var mu sync.Mutex
	inFlight := map[string]int{}
	done := map[string][]string{}
	byReplica := map[int]int{}
	twice := ""
	total := 0
	all := make(chan struct{})
	stores := make([]*store.Store, replicas)
	for r := range replicas {
		stores[r] = openStore(t, url)
		eng := New(stores[r], slog.New(slog.DiscardHandler), Config{Workers: 4, PollInterval: time.Hour})
		eng.Handle("test", "work", func(_ context.Context, ev *store.Event) error {
			mu.Lock()
			inFlight[ev.Lane]++
			if inFlight[ev.Lane] > 1 {
				twice = ev.Lane
			}
			mu.Unlock()
			time.Sleep(time.Millisecond) // hold the lane a moment, as a real post does
			mu.Lock()
			defer mu.Unlock()
			inFlight[ev.Lane]--
			done[ev.Lane] = append(done[ev.Lane], ev.ExternalID)
			byReplica[r]++
			if total++; total == lanes*perLane {
				close(all)
			}
			return nil
		})
		runEngine(t, eng)
	}
	var wg sync.WaitGroup
	for l := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perLane {
				insertWork(t, stores[(l+i)%replicas], fmt.Sprintf("l%02d-e%d", l, i), fmt.Sprintf("conv:%02d", l))
			}
		}()
	}
	wg.Wait()
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("%d of %d events done", total, lanes*perLane)
	}
	mu.Lock()
	defer mu.Unlock()
	if twice != "" {
		t.Fatalf("lane %s was worked in two places at once", twice)
	}
	for l := range lanes {
		var want []string
		for i := range perLane {
			want = append(want, fmt.Sprintf("l%02d-e%d", l, i))
		}
		if got := done[fmt.Sprintf("conv:%02d", l)]; !slices.Equal(got, want) {
			t.Fatalf("lane %d done %v, want %v", l, got, want)
		}
	}
	t.Logf("events per replica: %v", byReplica)
}

// An event committed through one replica starts work on another at once,
// though that one's poll is an hour away.
func TestWorkCommittedOnOneReplicaWakesAnotherAtOnce(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's")
	}
	url := testdb.URL(t)
	a, b := openStore(t, url), openStore(t, url)
	handled := make(chan string, 2)
	eng := New(b, slog.New(slog.DiscardHandler), Config{Workers: 2, PollInterval: time.Hour})
	eng.Handle("test", "work", func(_ context.Context, ev *store.Event) error { handled <- ev.ExternalID; return nil })
	runEngine(t, eng)
	for _, id := range []string{"first", "second"} {
		// The first proves the engine runs; the second arrives while its
		// workers are idle.
		start := time.Now()
		insertWork(t, a, id, "conv:"+id)
		select {
		case <-handled:
			t.Logf("%s handled %v after its commit on the other replica", id, time.Since(start).Round(time.Microsecond))
		case <-time.After(3 * time.Second):
			t.Fatalf("%s, committed on another replica, was not started", id)
		}
	}
}

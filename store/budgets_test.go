package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
)

var budgetEpoch = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestTakeTokenGivesTheBurstThenOneTokenPerInterval(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	s := openTest(t, WithClock(clk.Now))
	ctx := context.Background()
	take := func() time.Duration {
		t.Helper()
		w, err := s.TakeToken(ctx, "sender:+18445550001", 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for i := range 3 {
		if w := take(); w != 0 {
			t.Fatalf("take %d of the burst waits %v", i+1, w)
		}
	}
	if w := take(); w != 500*time.Millisecond {
		t.Fatalf("past the burst: wait %v, want 500ms", w)
	}
	if w := take(); w != 500*time.Millisecond {
		t.Fatalf("a refused take must take nothing: wait %v, want 500ms", w)
	}
	clk.Advance(500 * time.Millisecond)
	if w := take(); w != 0 {
		t.Fatalf("after one interval: wait %v", w)
	}
	if w := take(); w != 500*time.Millisecond {
		t.Fatalf("then: wait %v, want 500ms", w)
	}
	// Another key has a budget of its own.
	if w, err := s.TakeToken(ctx, "sender:+13125550100", 2, 3); err != nil || w != 0 {
		t.Fatalf("other key: wait %v err %v", w, err)
	}
}

func TestTakeTokenRefusesARateThatIsNotPositive(t *testing.T) {
	s := openTest(t)
	for _, r := range []float64{0, -1} {
		if _, err := s.TakeToken(context.Background(), "k", r, 1); err == nil {
			t.Fatalf("rate %v: no error", r)
		}
	}
}

// Many goroutines on two stores (two replicas on one database) draw from
// one budget while the clock moves on: together they never get more than
// burst + rate·elapsed, and, as they always want more, exactly that.
func TestTakeTokenConcurrentReplicasNeverGetMoreThanRateTimesTimePlusBurst(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	url := testdb.URL(t)
	ctx := context.Background()
	var replicas []*Store
	for range 2 {
		s, err := Open(ctx, url, WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		replicas = append(replicas, s)
	}
	const rate, burst, steps = 5, 8, 4
	var granted int
	for step := 0; step <= steps; step++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := replicas[g%2]
				for range 3 {
					w, err := s.TakeToken(ctx, "sender:+13125550100", rate, burst)
					if err != nil {
						t.Error(err)
						return
					}
					if w == 0 {
						mu.Lock()
						granted++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if want := burst + rate*step; granted != want {
			t.Fatalf("after %ds: %d tokens granted, want %d (burst %d + %d/s)", step, granted, want, burst, rate)
		}
		clk.Advance(time.Second)
	}
}

// Waiters who reserve get distinct slots one interval apart, in the order
// they asked, and each gets its token when it comes back at its slot,
// without competing with later callers.
func TestReserveTokenKeepsEachWaitersSlot(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	s := openTest(t, WithClock(clk.Now))
	ctx := context.Background()
	const key = "sender:+13125550100"
	reserve := func(holder string) time.Duration {
		t.Helper()
		w, err := s.ReserveToken(ctx, key, holder, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for i := range 4 {
		if w, want := reserve(fmt.Sprintf("msg:%d", i)), time.Duration(i)*time.Second; w != want {
			t.Fatalf("msg:%d waits %v, want %v", i, w, want)
		}
	}
	if w := reserve("msg:2"); w != 2*time.Second {
		t.Fatalf("asking again before the slot: %v, want the same 2s", w)
	}
	clk.Advance(time.Second)
	if w := reserve("msg:1"); w != 0 {
		t.Fatalf("msg:1 at its slot waits %v", w)
	}
	if w, err := s.TakeToken(ctx, key, 1, 1); err != nil || w != 3*time.Second {
		t.Fatalf("a newcomer waits behind the reservations: %v %v, want 3s", w, err)
	}
	if w := reserve("msg:9"); w != 3*time.Second {
		t.Fatalf("a new reservation comes after the booked ones: %v, want 3s", w)
	}
}

func TestReserveTokenConcurrentWaitersGetDistinctSlots(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	s := openTest(t, WithClock(clk.Now))
	ctx := context.Background()
	const n, perSecond = 40, 20
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := s.ReserveToken(ctx, "sender:+18445550001", fmt.Sprintf("msg:%d", i), perSecond, 1)
			if err != nil {
				t.Error(err)
			}
			waits[i] = w
		}()
	}
	wg.Wait()
	slices.Sort(waits)
	for i, w := range waits {
		if want := time.Duration(i) * time.Second / perSecond; w != want {
			t.Fatalf("slot %d is %v, want %v (all: %v)", i, w, want, waits)
		}
	}
}

func TestPauseBudgetHoldsTheWholeKeyAndSlidesReservations(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	s := openTest(t, WithClock(clk.Now))
	ctx := context.Background()
	const key = "sender:+18005550100"
	const rate, burst = 20, 20
	interval := time.Second / rate
	if w, _ := s.ReserveToken(ctx, key, "msg:1", rate, burst); w != 0 {
		t.Fatalf("first take waits %v", w)
	}
	if err := s.PauseBudget(ctx, key, budgetEpoch.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.TakeToken(ctx, key, rate, burst); w != 30*time.Second {
		t.Fatalf("during the pause: wait %v, want 30s", w)
	}
	if w, _ := s.ReserveToken(ctx, key, "msg:2", rate, burst); w != 30*time.Second {
		t.Fatalf("a reservation during the pause: %v, want 30s", w)
	}
	if w, _ := s.ReserveToken(ctx, key, "msg:3", rate, burst); w != 30*time.Second+interval {
		t.Fatalf("the next one: %v, want 30s + one interval", w)
	}
	// A shorter pause asked for later changes nothing.
	if err := s.PauseBudget(ctx, key, budgetEpoch.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// A longer one slides the booked slots back by what it adds.
	if err := s.PauseBudget(ctx, key, budgetEpoch.Add(40*time.Second)); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.ReserveToken(ctx, key, "msg:3", rate, burst); w != 40*time.Second+interval {
		t.Fatalf("msg:3 after a longer pause: %v, want 40s + one interval", w)
	}
	clk.Advance(40 * time.Second)
	if w, _ := s.ReserveToken(ctx, key, "msg:2", rate, burst); w != 0 {
		t.Fatalf("msg:2 when the pause ends: %v", w)
	}
	// No burst at the end of a pause: the bucket starts empty.
	if w, _ := s.TakeToken(ctx, key, rate, burst); w != 2*interval {
		t.Fatalf("a newcomer at the end of the pause: %v, want two intervals (behind msg:3)", w)
	}
}

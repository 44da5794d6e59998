package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestAConfirmationIsTakenOnceOfItsKindBeforeItExpires(t *testing.T) {
	clk := &clock{t: budgetEpoch}
	s := openTest(t, WithClock(clk.Now))
	ctx := context.Background()
	hold := func(token string, ttl time.Duration) {
		t.Helper()
		c := &Confirmation{Token: token, Kind: "bulk", UserID: "U1", Channel: "C1", Payload: `{"n":1}`, ExpiresAt: clk.Now().Add(ttl)}
		if err := s.HoldConfirmation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	hold("a", time.Minute)
	if _, err := s.TakeConfirmation(ctx, "number", "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("taken as another kind: %v", err)
	}
	c, err := s.TakeConfirmation(ctx, "bulk", "a")
	if err != nil || c.Payload != `{"n":1}` || c.UserID != "U1" || c.Channel != "C1" {
		t.Fatalf("take = %+v, %v", c, err)
	}
	if _, err := s.TakeConfirmation(ctx, "bulk", "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("taken twice: %v", err)
	}

	hold("late", time.Minute)
	clk.Advance(time.Minute + time.Second)
	if _, err := s.TakeConfirmation(ctx, "bulk", "late"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an expired confirmation was taken: %v", err)
	}

	// A later hold sweeps what expired and was never pressed.
	hold("forgotten", time.Minute)
	clk.Advance(2 * time.Minute)
	hold("new", time.Minute)
	var left []string
	if err := s.DB().Model(&Confirmation{}).Order("token").Pluck("token", &left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "new" {
		t.Fatalf("left after the sweep: %v, want [new]", left)
	}
}

// Two replicas pressed at once (or a double click): exactly one has it.
func TestConcurrentTakesOfOneConfirmationGiveItToOne(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for round := range 20 {
		token := string(rune('a' + round))
		if err := s.HoldConfirmation(ctx, &Confirmation{Token: token, Kind: "bulk", UserID: "U1", Payload: "{}", ExpiresAt: s.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := 0
		for range 4 {
			wg.Go(func() {
				if _, err := s.TakeConfirmation(ctx, "bulk", token); err == nil {
					mu.Lock()
					got++
					mu.Unlock()
				} else if !errors.Is(err, ErrNotFound) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got != 1 {
			t.Fatalf("round %d: %d takers got the confirmation, want 1", round, got)
		}
	}
}

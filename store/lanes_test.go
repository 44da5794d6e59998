package store

import (
	"context"
	"testing"
	"time"
)

func TestNewEventDoesNotCutALanesRetryWaitShort(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); !ok {
		t.Fatal("new lane not due")
	}
	ev, _ := s.NextEvent(ctx, "a")
	if err := s.RetryEvent(ctx, ev, c.Now().Add(30*time.Second), "slack 429", "w"); err != nil {
		t.Fatal(err)
	}
	s.ReleaseLane(ctx, "a", "w") // as the engine does after recording the retry

	c.Advance(time.Second)
	if _, err := s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e2", Type: "t", Lane: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); ok {
		t.Fatal("a new event made a lane waiting out a retry due at once")
	}
	c.Advance(29 * time.Second)
	lane, ok, _ := s.ClaimLane(ctx, "w", time.Minute)
	if !ok {
		t.Fatal("lane not due at its retry time")
	}
	if ev, _ := s.NextEvent(ctx, lane); ev == nil || ev.ExternalID != "e1" {
		t.Fatalf("head of the lane is %+v, want e1 first", ev)
	}
}

func TestNewEventMakesAnIdleLaneDueNow(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	s.ClaimLane(ctx, "w", time.Minute)
	ev, _ := s.NextEvent(ctx, "a")
	s.FinishEvent(ctx, ev.ID, EventDone, "")
	if err := s.ReleaseLane(ctx, "a", "w"); err != nil {
		t.Fatal(err)
	}
	var l Lane
	if s.DB().Where("name = ?", "a").Take(&l); l.DueAt != nil {
		t.Fatalf("empty lane still due at %v", l.DueAt)
	}
	c.Advance(time.Hour)
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e2", Type: "t", Lane: "a"})
	if s.DB().Where("name = ?", "a").Take(&l); l.DueAt == nil || !l.DueAt.Equal(c.Now()) {
		t.Fatalf("idle lane due at %v after a new event, want now (%v)", l.DueAt, c.Now())
	}
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); !ok {
		t.Fatal("idle lane not due after a new event")
	}
}

func TestNewEventInALaneBeingWorkedIsTakenWhenTheLeaseIsReleased(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	s.ClaimLane(ctx, "w", time.Minute)
	ev, _ := s.NextEvent(ctx, "a")
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e2", Type: "t", Lane: "a"})
	s.FinishEvent(ctx, ev.ID, EventDone, "")
	if err := s.ReleaseLane(ctx, "a", "w"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimLane(ctx, "w2", time.Minute); !ok {
		t.Fatal("lane with a pending event not due after release")
	}
}

package store

import (
	"context"
	"errors"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/migrations"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), testdb.URL(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "l"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != migrations.Latest() {
		t.Fatalf("version %d err %v", v, err)
	}
	if _, err := s.NextEvent(ctx, "l"); err != nil {
		t.Fatalf("event lost across reopen: %v", err)
	}
}

func TestInsertEventIgnoresDuplicates(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		ok, err := s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "l"})
		if err != nil || ok != want {
			t.Fatalf("insert %d: ok=%v err=%v", i, ok, err)
		}
	}
	var n int64
	s.DB().Model(&Event{}).Count(&n)
	if n != 1 {
		t.Fatalf("%d events stored", n)
	}
	// Same external id from another source is a different event.
	if ok, _ := s.InsertEvent(ctx, &Event{Source: "slack", ExternalID: "e1", Type: "t", Lane: "l"}); !ok {
		t.Fatal("other source deduplicated")
	}
}

func TestEventWithoutLaneIsIgnored(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ev := &Event{Source: "telnyx", ExternalID: "u1", Type: "number.ported"}
	if _, err := s.InsertEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if ev.Status != EventIgnored {
		t.Fatalf("status %q", ev.Status)
	}
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); ok {
		t.Fatal("a lane became due for an event with no work")
	}
}

func TestClaimLaneIsExclusiveUntilLeaseRunsOut(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	lane, ok, err := s.ClaimLane(ctx, "w1", time.Minute)
	if err != nil || !ok || lane != "a" {
		t.Fatalf("claim: %q %v %v", lane, ok, err)
	}
	if _, ok, _ := s.ClaimLane(ctx, "w2", time.Minute); ok {
		t.Fatal("second worker claimed a leased lane")
	}
	c.Advance(61 * time.Second)
	lane, ok, _ = s.ClaimLane(ctx, "w2", time.Minute)
	if !ok || lane != "a" {
		t.Fatal("expired lease was not taken over")
	}
	if err := s.RenewLease(ctx, "a", "w1", time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old owner renewed a lost lease: %v", err)
	}
}

func TestReleaseLaneGoesIdleWhenEmpty(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	lane, _, _ := s.ClaimLane(ctx, "w", time.Minute)
	ev, err := s.NextEvent(ctx, lane)
	if err != nil {
		t.Fatal(err)
	}
	s.FinishEvent(ctx, ev.ID, EventDone, "")
	if _, err := s.NextEvent(ctx, lane); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	s.ReleaseLane(ctx, lane, "w")
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); ok {
		t.Fatal("idle lane claimed")
	}
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e2", Type: "t", Lane: "a"})
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); !ok {
		t.Fatal("lane not due after a new event")
	}
}

func TestRetryEventDelaysLane(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "e1", Type: "t", Lane: "a"})
	s.ClaimLane(ctx, "w", time.Minute)
	ev, _ := s.NextEvent(ctx, "a")
	if err := s.RetryEvent(ctx, ev, c.Now().Add(10*time.Second), "slack down", "w"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); ok {
		t.Fatal("lane claimed before its retry time")
	}
	c.Advance(11 * time.Second)
	if _, ok, _ := s.ClaimLane(ctx, "w", time.Minute); !ok {
		t.Fatal("lane not claimed at its retry time")
	}
	ev, _ = s.NextEvent(ctx, "a")
	if ev.Attempts != 1 || ev.LastError != "slack down" {
		t.Fatalf("%+v", ev)
	}
}

func TestFindOrCreateConversationRace(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([]uint64, 8)
	created := make([]bool, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, cr, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123")
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], created[i] = c.ID, cr
		}()
	}
	wg.Wait()
	n := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("different conversations: %v", ids)
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d callers think they created it", n)
	}
}

func TestInsertMessageDeduplicatesTelnyxID(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	id := "m1"
	m := &Message{ConversationID: 1, Direction: Inbound, TelnyxID: &id, Text: "hi"}
	if ok, err := s.InsertMessage(ctx, m); !ok || err != nil {
		t.Fatal(ok, err)
	}
	s.UpdateMessage(ctx, m.ID, map[string]any{"slack_ts": "1.2"})
	again := &Message{ConversationID: 1, Direction: Inbound, TelnyxID: &id, Text: "hi"}
	ok, err := s.InsertMessage(ctx, again)
	if ok || err != nil || again.ID != m.ID || again.SlackTS != "1.2" {
		t.Fatalf("ok=%v err=%v %+v", ok, err, again)
	}
}

func TestMissingRowsAreNotFound(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Conversation(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.ConversationByThread(ctx, "C", "1"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := s.MessageByTelnyxID(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if err := s.UpdateConversation(ctx, 42, map[string]any{"state": "open"}); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

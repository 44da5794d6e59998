package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func inbound(convID uint64, telnyxID string) *Message {
	return &Message{ConversationID: convID, Direction: Inbound, TelnyxID: &telnyxID, Text: "hi", Status: "received"}
}

func TestInboundTextsStartAndCountAWaitingSpellAndAnAnswerEndsIt(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	conv, _, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123")
	if err != nil {
		t.Fatal(err)
	}
	if conv.WaitingSince != nil {
		t.Fatalf("a new conversation waits since %v", conv.WaitingSince)
	}
	start := c.Now()
	ok, after, err := s.InsertInbound(ctx, inbound(conv.ID, "m1"))
	if err != nil || !ok || after.WaitingSince == nil || !after.WaitingSince.Equal(start) || after.WaitingCount != 1 {
		t.Fatalf("first text: new %v conv %+v err %v", ok, after, err)
	}
	if err := s.MarkSignaled(ctx, conv.ID); err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * time.Minute)
	_, after, _ = s.InsertInbound(ctx, inbound(conv.ID, "m2"))
	if !after.WaitingSince.Equal(start) || after.WaitingCount != 2 || !after.WaitingSignaled {
		t.Fatalf("second text: %+v, want the spell since the first, 2 texts, still signalled", after)
	}
	// A redelivery counts nothing.
	ok, after, _ = s.InsertInbound(ctx, inbound(conv.ID, "m2"))
	if ok || after.WaitingCount != 2 {
		t.Fatalf("redelivery: new %v count %d", ok, after.WaitingCount)
	}

	out := &Message{ConversationID: conv.ID, Direction: Outbound, Status: OutSending}
	if _, err := s.InsertMessage(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, out.ID, map[string]any{"status": OutQueued}, conv.ID, map[string]any{"last_direction": Outbound}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Conversation(ctx, conv.ID)
	if got.WaitingSince != nil || got.WaitingCount != 0 || got.WaitingSignaled || got.LastDirection != Outbound || got.HeaderDueAt == nil {
		t.Fatalf("after the answer: %+v, want not waiting and the header due", got)
	}
	m, _ := s.Message(ctx, out.ID)
	if m.Status != OutQueued {
		t.Fatalf("answer's status %q", m.Status)
	}

	// The next text starts a new spell, not yet signalled.
	c.Advance(time.Hour)
	_, after, _ = s.InsertInbound(ctx, inbound(conv.ID, "m3"))
	if !after.WaitingSince.Equal(c.Now()) || after.WaitingCount != 1 || after.WaitingSignaled || after.Nudged {
		t.Fatalf("new spell: %+v", after)
	}
}

func TestOneOfSeveralClaimersTakesANudge(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	conv, _, _ := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123")
	if _, _, err := s.InsertInbound(ctx, inbound(conv.ID, "m1")); err != nil {
		t.Fatal(err)
	}
	before := c.Now().Add(-15 * time.Minute)
	if due, _ := s.DueNudges(ctx, before, 10); len(due) != 0 {
		t.Fatalf("due after 0 min: %d", len(due))
	}
	c.Advance(16 * time.Minute)
	before = c.Now().Add(-15 * time.Minute)
	due, err := s.DueNudges(ctx, before, 10)
	if err != nil || len(due) != 1 || due[0].ID != conv.ID {
		t.Fatalf("due %v err %v", due, err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			ok, err := s.ClaimNudge(ctx, conv.ID, before)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d claimers took the nudge, want 1", won.Load())
	}
	if due, _ := s.DueNudges(ctx, before, 10); len(due) != 0 {
		t.Fatalf("still due after the claim: %d", len(due))
	}
}

func TestHeaderDueKeepsTheSoonerTimeAndClaimPutsItOff(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	conv, _, _ := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123")
	now := c.Now()
	later := now.Add(time.Hour)
	if err := s.HeaderShown(ctx, conv.ID, now, &later); err != nil {
		t.Fatal(err)
	}
	if err := s.HeaderDue(ctx, conv.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.HeaderDue(ctx, conv.ID, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Conversation(ctx, conv.ID)
	if got.HeaderDueAt == nil || !got.HeaderDueAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("due %v, want the sooner %v", got.HeaderDueAt, now.Add(time.Minute))
	}
	c.Advance(time.Minute)
	due, _ := s.DueHeaders(ctx, c.Now(), 10)
	if len(due) != 1 {
		t.Fatalf("due headers %d", len(due))
	}
	if ok, _ := s.ClaimHeader(ctx, conv.ID, c.Now(), c.Now().Add(time.Minute)); !ok {
		t.Fatal("claim failed")
	}
	if ok, _ := s.ClaimHeader(ctx, conv.ID, c.Now(), c.Now().Add(time.Minute)); ok {
		t.Fatal("a second claim took it too")
	}
	if due, _ := s.DueHeaders(ctx, c.Now(), 10); len(due) != 0 {
		t.Fatalf("due after the claim: %d", len(due))
	}
}

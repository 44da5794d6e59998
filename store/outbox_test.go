package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUpdateMessageIfIsACompareAndSet(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	key := "C1:1.2"
	m := &Message{ConversationID: 1, Direction: Outbound, OutboxKey: &key, Status: OutPending}
	if _, err := s.InsertMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	ok, err := s.UpdateMessageIf(ctx, m.ID, map[string]any{"status": OutSending}, OutPending)
	if !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := s.UpdateMessageIf(ctx, m.ID, map[string]any{"status": OutSending}, OutPending); ok {
		t.Fatal("second claim of the same attempt succeeded")
	}
	again := &Message{ConversationID: 1, Direction: Outbound, OutboxKey: &key, Status: OutPending}
	if isNew, err := s.InsertMessage(ctx, again); isNew || err != nil || again.Status != OutSending {
		t.Fatalf("same Slack message inserted again: new=%v err=%v %+v", isNew, err, again)
	}
}

func TestOutboxMediaReusedPerPositionAndExpires(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	m := &OutboxMedia{Token: "tok1", MessageID: 7, Position: 0, Body: []byte("a"), ExpiresAt: c.Now().Add(time.Hour)}
	if isNew, err := s.PutOutboxMedia(ctx, m); !isNew || err != nil {
		t.Fatal(isNew, err)
	}
	dup := &OutboxMedia{Token: "tok2", MessageID: 7, Position: 0, Body: []byte("b"), ExpiresAt: c.Now().Add(time.Hour)}
	if isNew, err := s.PutOutboxMedia(ctx, dup); isNew || err != nil || dup.Token != "tok1" {
		t.Fatalf("new=%v err=%v token=%s", isNew, err, dup.Token)
	}
	if got, err := s.OutboxMediaByToken(ctx, "tok1"); err != nil || string(got.Body) != "a" {
		t.Fatal(got, err)
	}
	c.Advance(2 * time.Hour)
	if _, err := s.OutboxMediaByToken(ctx, "tok1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired media served: %v", err)
	}
	if n, err := s.PurgeExpiredOutboxMedia(ctx); n != 1 || err != nil {
		t.Fatal(n, err)
	}
}

package bridge

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store"
)

func TestRecordRetriesTheWriteUntilItSucceeds(t *testing.T) {
	h := newHarness(t)
	calls := 0
	err := h.b.record(context.Background(), "test", func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("database or disk is full")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the third", err, calls)
	}
}

func TestRecordStopsWhenTheRowIsGoneOrTheContextEnds(t *testing.T) {
	h := newHarness(t)
	calls := 0
	err := h.b.record(context.Background(), "test", func(context.Context) error {
		calls++
		return fmt.Errorf("update: %w", store.ErrNotFound)
	})
	if !errors.Is(err, store.ErrNotFound) || calls != 1 {
		t.Fatalf("err %v after %d calls, want ErrNotFound at once", err, calls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = h.b.record(ctx, "test", func(context.Context) error { return errors.New("database or disk is full") })
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the write's error once the context ended", err)
	}
}

func TestQueuedThreadPostIsNotRepeatedWhenStoringItsTsFails(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.threaded("+13125550123", store.StateOpen, "")
	left := 2
	err := h.st.DB().Callback().Update().Before("gorm:update").Register("test:disk_full", func(db *gorm.DB) {
		if db.Statement.Table == "messages" && left > 0 {
			left--
			db.AddError(errors.New("database or disk is full"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// A send Telnyx accepted, whose confirmation is queued into the thread.
	id := "tx-1"
	if _, err := h.st.InsertMessage(ctx, &store.Message{ConversationID: c.ID, Direction: store.Outbound, TelnyxID: &id,
		FromNumber: c.OurNumber, ToNumbers: c.RemoteKey, Text: "sent from a modal", Media: "[]", Status: store.OutQueued}); err != nil {
		t.Fatal(err)
	}
	w := threadPostWork{Our: E164(c.OurNumber), Remotes: Remotes(c.RemoteKey), Post: ThreadPost{Kind: KindOutbound, Text: "sent from a modal"}, TelnyxID: id}
	if err := h.b.QueuePost(ctx, "sent:"+id, w); err != nil {
		t.Fatal(err)
	}
	h.drain()

	_, posts, _, _ := h.poster.snapshot()
	n := 0
	for _, p := range posts {
		if p.P.Text == "sent from a modal" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the confirmation was posted %d times, want once", n)
	}
	if m, err := h.st.MessageByTelnyxID(ctx, "tx-1"); err != nil || m.SlackTS == "" {
		t.Fatalf("its ts was not recorded: %+v %v", m, err)
	}
}

package bridge

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// quietHarness is the auto-reply harness without hours, at 21:30 in
// Chicago (03:30 UTC), with a scheduler.
func quietHarness(t *testing.T) (*arHarness, *Scheduler) {
	h := newARHarness(t, "2026-12-02T03:30:00Z")
	if err := h.b.ClearHours(context.Background(), arOur); err != nil {
		t.Fatal(err)
	}
	api := telnyx.NewClient("KEYTEST", telnyx.WithBaseURL(h.tx.BaseURL), telnyx.WithRetry(1, time.Millisecond))
	s := NewScheduler(h.b, api, slog.New(slog.DiscardHandler))
	s.Now = h.clock.Now
	return h, s
}

func TestASendIntoQuietHoursIsNotQueuedUntilConfirmed(t *testing.T) {
	h, _ := quietHarness(t)
	ctx := context.Background()
	r := SendRequest{Key: "TRIG-1", From: arOur, To: []E164{"+13125550123"}, Text: "Your order shipped"}
	_, err := h.out.Send(ctx, r)
	var qe *QuietError
	if !errors.As(err, &qe) || !strings.Contains(qe.Error(), "Not sent: It would arrive at 9:30 pm for +13125550123 (America/Chicago)") {
		t.Fatalf("a send at 9:30 pm their time: %v, want a QuietError in words", err)
	}
	if qe.Quiet.UntilText() != "8:00 am their time" {
		t.Errorf("until %q", qe.Quiet.UntilText())
	}
	h.drain()
	if n := len(h.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("an unconfirmed quiet-hours send reached Telnyx (%d requests)", n)
	}
	r.ConfirmQuiet = true
	if _, err := h.out.Send(ctx, r); err != nil {
		t.Fatal(err)
	}
	h.drain()
	if n := len(h.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("the confirmed send: %d requests, want 1", n)
	}
	// The same send at 8:00 their time needs no confirmation.
	h.clock.t = time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	if _, err := h.out.Send(ctx, SendRequest{Key: "TRIG-2", From: arOur, To: []E164{"+13125550123"}, Text: "Good morning"}); err != nil {
		t.Fatalf("a send at 8:00 their time: %v", err)
	}
}

func TestAScheduleIntoQuietHoursIsRefusedWithTheReasonUnlessConfirmed(t *testing.T) {
	_, s := quietHarness(t)
	ctx := context.Background()
	night := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC) // 22:00 in Chicago
	r := ScheduleRequest{From: arOur, To: "+13125550123", Text: "Reminder", SendAt: night, By: "UALICE"}
	_, err := s.Schedule(ctx, r)
	var qe *QuietError
	if !errors.As(err, &qe) || !strings.HasPrefix(err.Error(), "Not scheduled: It would arrive at 10:00 pm") {
		t.Fatalf("a schedule at 10 pm their time: %v", err)
	}
	r.ConfirmQuiet = true
	if _, err := s.Schedule(ctx, r); err != nil {
		t.Fatalf("the confirmed schedule: %v", err)
	}
	r.SendAt, r.ConfirmQuiet = time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC), false // 9:00 their time
	if _, err := s.Schedule(ctx, r); err != nil {
		t.Fatalf("a schedule at 9:00 their time: %v", err)
	}
}

// replyInThread is a teammate's reply in c's thread, run to the end.
func (h *arHarness) replyInThread(c *store.Conversation, ts, text string) *store.Message {
	h.t.Helper()
	if _, err := h.out.IngestSlack(context.Background(), SlackReply{EventID: "Ev" + ts, Channel: c.Channel, TS: ts, ThreadTS: c.ThreadTS, User: "UALICE", Text: text}); err != nil {
		h.t.Fatal(err)
	}
	h.drain()
	m, err := h.st.MessageByOutboxKey(context.Background(), replyKey(c.Channel, ts))
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func TestAThreadReplyInQuietHoursIsHeldUntilSentAnywayOrScheduled(t *testing.T) {
	h, s := quietHarness(t)
	ctx := context.Background()
	h.text("+13125550123", "can you text me the code?")
	c, _ := h.st.ConversationByNumbers(ctx, store.KindSMS, string(arOur), "+13125550123")

	held := h.replyInThread(c, "1700000500.000001", "The code is 4411")
	if held.Status != store.OutHeldQuiet || len(h.tx.RequestsTo("POST /messages")) != 0 {
		t.Fatalf("a reply at 9:30 pm their time: status %q, %d sent; want held, none", held.Status, len(h.tx.RequestsTo("POST /messages")))
	}
	_, posts, _, _ := h.poster.snapshot()
	last := posts[len(posts)-1].P
	if !strings.HasPrefix(last.Text, "Held, not sent: It would arrive at 9:30 pm") || len(last.Actions) != 2 ||
		last.Actions[0].ID != ActionSendAgain || last.Actions[0].Label != "Send anyway" ||
		last.Actions[1].ID != ActionScheduleQuiet || last.Actions[1].Label != "Schedule for 8:00 am their time" {
		t.Fatalf("the hold note: %+v", last)
	}
	// Send anyway.
	if err := h.out.SendAgain(ctx, held.ID, "UALICE", "1700000600.000001"); err != nil {
		t.Fatal(err)
	}
	h.drain()
	if got, _ := h.st.Message(ctx, held.ID); got.Status != store.OutQueued || len(h.tx.RequestsTo("POST /messages")) != 1 {
		t.Fatalf("after Send anyway: status %q, %d sent", got.Status, len(h.tx.RequestsTo("POST /messages")))
	}

	// Another held reply, scheduled for their morning instead.
	held2 := h.replyInThread(c, "1700000700.000001", "Also: your appointment is at 10")
	m, err := s.ScheduleHeld(ctx, held2.ID, "UALICE")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC); !m.SendAt.Equal(want) || m.Text != held2.Text {
		t.Fatalf("scheduled %q for %s, want the reply at %s (8:00 their time)", m.Text, m.SendAt, want)
	}
	if got, _ := h.st.Message(ctx, held2.ID); got.Status != store.OutRescheduled || !strings.Contains(got.ErrorText, "#"+strconv.FormatUint(m.ID, 10)) {
		t.Fatalf("the held entry after scheduling: %q %q", got.Status, got.ErrorText)
	}
	// Send anyway on a reply already scheduled sends nothing more.
	before := len(h.tx.RequestsTo("POST /messages"))
	if err := h.out.SendAgain(ctx, held2.ID, "UALICE", "1700000800.000001"); err != nil {
		t.Fatal(err)
	}
	h.drain()
	if n := len(h.tx.RequestsTo("POST /messages")); n != before {
		t.Fatalf("a scheduled reply was also sent now (%d requests)", n-before)
	}
	if _, err := s.ScheduleHeld(ctx, held2.ID, "UALICE"); err == nil {
		t.Fatal("a reply was scheduled twice")
	}
}

// TestAHeldReplyPressedSeveralTimesAtOnceIsScheduledOnce: a double click,
// or two teammates pressing "Schedule for 8:00 am their time" together,
// schedules the held reply once; the presses that lose are refused in
// words and schedule nothing.
func TestAHeldReplyPressedSeveralTimesAtOnceIsScheduledOnce(t *testing.T) {
	h, s := quietHarness(t)
	ctx := context.Background()
	h.text("+13125550123", "can you text me the code?")
	c, _ := h.st.ConversationByNumbers(ctx, store.KindSMS, string(arOur), "+13125550123")
	held := h.replyInThread(c, "1700000500.000001", "The code is 4411")

	const presses = 6
	errs := make(chan error, presses)
	start := make(chan struct{})
	for range presses {
		go func() {
			<-start
			_, err := s.ScheduleHeld(ctx, held.ID, "UALICE")
			errs <- err
		}()
	}
	close(start)
	ok := 0
	for range presses {
		err := <-errs
		var re *RefusedError
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &re):
			t.Errorf("a losing press: %v, want a refusal in words", err)
		}
	}
	pending, err := h.st.PendingScheduled(ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if ok != 1 || len(pending) != 1 {
		t.Fatalf("%d presses at once: %d succeeded and %d messages are scheduled, want 1 and 1", presses, ok, len(pending))
	}
	if got, _ := h.st.Message(ctx, held.ID); got.Status != store.OutRescheduled || !strings.Contains(got.ErrorText, "#"+strconv.FormatUint(pending[0].ID, 10)) {
		t.Fatalf("the held entry: %q %q", got.Status, got.ErrorText)
	}
}

// TestAHeldReplyThatCannotBeScheduledStaysHeld: when scheduling is
// refused (here: the recipient opted out meanwhile, recorded without the
// STOP that would cancel the reply), the reply is held again, not lost
// as "rescheduled" with nothing scheduled.
func TestAHeldReplyThatCannotBeScheduledStaysHeld(t *testing.T) {
	h, s := quietHarness(t)
	ctx := context.Background()
	h.text("+13125550123", "can you text me the code?")
	c, _ := h.st.ConversationByNumbers(ctx, store.KindSMS, string(arOur), "+13125550123")
	held := h.replyInThread(c, "1700000500.000001", "The code is 4411")
	if _, err := h.st.AddOptOut(ctx, &store.OptOut{Remote: "+13125550123", OurNumber: string(arOur), Source: store.OptOutManual, SetBy: "UBOB", CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	var re *RefusedError
	if _, err := s.ScheduleHeld(ctx, held.ID, "UALICE"); !errors.As(err, &re) {
		t.Fatalf("scheduling a reply to an opted-out number: %v, want a refusal", err)
	}
	if got, _ := h.st.Message(ctx, held.ID); got.Status != store.OutHeldQuiet {
		t.Fatalf("after a refused schedule the reply is %q, want still held", got.Status)
	}
	if pending, _ := h.st.PendingScheduled(ctx, time.Time{}, 100); len(pending) != 0 {
		t.Fatalf("%d messages scheduled", len(pending))
	}
}

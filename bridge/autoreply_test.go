package bridge

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// The auto-reply through the real outbox and Telnyx client, against the
// spec-checking fake Telnyx; Slack is the recording poster.

const (
	arOur   = E164("+18445550001")
	arReply = "Thanks! We're closed now and answer from 9:00 ET on weekdays."
)

var arSeq atomic.Int64

type arHarness struct {
	*harness
	tx  *faketelnyx.Server
	out *Outbound
}

// newARHarness has our number open mon-fri 09:00-17:00 New York time,
// with the auto-reply set; the clock starts at at.
func newARHarness(t *testing.T, at string) *arHarness {
	h := &arHarness{harness: newHarness(t), tx: faketelnyx.New(t)}
	h.clock.t, _ = time.Parse(time.RFC3339, at)
	api := telnyx.NewClient("KEYTEST", telnyx.WithBaseURL(h.tx.BaseURL), telnyx.WithRetry(1, time.Millisecond),
		telnyx.WithClock(h.clock.Now, func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	h.out = NewOutbound(h.b, &TelnyxSender{Client: api}, nil, nil, OutboundConfig{})
	ctx := context.Background()
	if _, err := h.b.SetHours(ctx, arOur, strings.Fields("mon-fri 09:00-17:00 America/New_York"), "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := h.b.SetAutoReply(ctx, arOur, arReply, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	return h
}

// text delivers an inbound text and runs everything it causes.
func (h *arHarness) text(from, text string) {
	h.t.Helper()
	n := arSeq.Add(1)
	h.ingest(inboundBody(fmt.Sprintf("ev-ar-%d", n), fmt.Sprintf("msg-ar-%d", n), from, string(arOur), text))
	h.drain()
}

// autoReplies is the texts Telnyx got with the auto-reply, to remote.
func (h *arHarness) autoReplies(remote string) int {
	n := 0
	for _, r := range h.tx.RequestsTo("POST /messages") {
		b := r.BodyMap()
		if b["to"] == remote && b["text"] == arReply && b["from"] == string(arOur) {
			n++
		}
	}
	return n
}

func TestAutoReplyOutsideHoursGoesOnceAndIsNotedInTheThread(t *testing.T) {
	h := newARHarness(t, "2026-12-01T23:00:00Z") // Tuesday 18:00 in New York
	const remote = "+13125550123"
	h.text(remote, "hi, is my order ready?")
	if got := h.autoReplies(remote); got != 1 {
		t.Fatalf("auto-replies after the first text outside hours: %d, want 1", got)
	}
	_, posts, _, _ := h.poster.snapshot()
	noted := false
	for _, p := range posts {
		noted = noted || (p.P.Kind == KindOutbound && p.P.Text == AutoReplyLabel+arReply)
	}
	if !noted {
		t.Fatalf("the auto-reply is not noted in the thread: %+v", posts)
	}
	// It does not answer for the team: the conversation still waits.
	c, _ := h.st.ConversationByNumbers(context.Background(), store.KindSMS, string(arOur), remote)
	if c.LastDirection != store.Inbound {
		t.Errorf("after the auto-reply the conversation's last direction is %q: it no longer waits", c.LastDirection)
	}
	// More texts in the same spell, and a redelivery of the first: nothing more.
	h.clock.Advance(time.Minute)
	h.text(remote, "hello?")
	h.ingest(inboundBody("ev-ar-1", "msg-ar-1", remote, string(arOur), "hi, is my order ready?"))
	h.drain()
	h.clock.Advance(3 * time.Hour)
	h.text(remote, "anyone?")
	if got := h.autoReplies(remote); got != 1 {
		t.Fatalf("auto-replies after more texts in the spell: %d, want 1", got)
	}
}

func TestAutoReplyAtMostOncePerIntervalEvenAfterATeamReply(t *testing.T) {
	h := newARHarness(t, "2026-12-01T23:00:00Z")
	const remote = "+13125550123"
	h.text(remote, "hi")
	c, _ := h.st.ConversationByNumbers(context.Background(), store.KindSMS, string(arOur), remote)
	// The team answers (an accepted answer ends the spell), and an hour
	// later, still outside hours, a new spell starts: within 12 h, so no
	// second auto-reply.
	h.answer(c.ID)
	h.clock.Advance(time.Hour)
	h.text(remote, "thanks, one more thing")
	if got := h.autoReplies(remote); got != 1 {
		t.Fatalf("a new spell within 12 h got another auto-reply: %d", got)
	}
	// After the team's next answer and 12 h (Wednesday 23:00 UTC, closed
	// again), the next spell gets it again.
	h.answer(c.ID)
	h.clock.Advance(23 * time.Hour)
	h.text(remote, "hi again")
	if got := h.autoReplies(remote); got != 2 {
		t.Fatalf("a spell 24 h later got %d auto-replies in all, want 2", got)
	}
}

func TestNoAutoReplyInsideHours(t *testing.T) {
	h := newARHarness(t, "2026-12-01T15:00:00Z") // Tuesday 10:00 in New York
	h.text("+13125550123", "hi")
	h.clock.Advance(7*time.Hour - time.Minute) // 16:59
	h.text("+13125550124", "hi")
	if n := len(h.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("%d texts sent inside business hours, want none", n)
	}
}

func TestNoAutoReplyToStopHelpStartOrAnOptedOutNumber(t *testing.T) {
	h := newARHarness(t, "2026-12-05T16:00:00Z") // Saturday
	for i, kw := range []string{"STOP", "help", "Start", "unsubscribe", "INFO"} {
		h.text(fmt.Sprintf("+1312555020%d", i), kw)
	}
	// Someone who opted out earlier, from a thread of their own.
	if _, err := h.b.RecordOptOut(context.Background(), arOur, "+13125550300", "", store.OptOutKeyword, "STOP", "STOP"); err != nil {
		t.Fatal(err)
	}
	h.text("+13125550300", "hi, can you still text me?")
	if n := len(h.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("%d auto-replies to keywords or an opted-out number, want none", n)
	}
	// The control: a plain text from a new number at the same time gets it.
	h.text("+13125550400", "hi")
	if got := h.autoReplies("+13125550400"); got != 1 {
		t.Fatalf("the control text got %d auto-replies, want 1", got)
	}
}

func TestAutoReplyOnAHolidayDuringUsualHours(t *testing.T) {
	h := newARHarness(t, "2026-12-25T15:00:00Z") // Friday 10:00 in New York: usually open
	h.text("+13125550123", "merry christmas, quick question")
	if n := len(h.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("no holiday yet: %d auto-replies, want none", n)
	}
	if err := h.b.AddHoliday(context.Background(), arOur, "2026-12-25", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	h.text("+13125550124", "are you open today?")
	if got := h.autoReplies("+13125550124"); got != 1 {
		t.Fatalf("a text on a holiday got %d auto-replies, want 1", got)
	}
}

func TestNoAutoReplyWithoutReplyTextOrAfterHoursAreTurnedOff(t *testing.T) {
	h := newARHarness(t, "2026-12-01T23:00:00Z")
	ctx := context.Background()
	if err := h.b.SetAutoReply(ctx, arOur, "", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	h.text("+13125550123", "hi")
	if err := h.b.SetAutoReply(ctx, arOur, arReply, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := h.b.ClearHours(ctx, arOur); err != nil {
		t.Fatal(err)
	}
	h.text("+13125550124", "hi")
	if n := len(h.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("%d auto-replies with no reply text or no hours, want none", n)
	}
}

// The spell is the store's: only an answer Telnyx accepted ends it, so an
// outbound message that never went does not earn the next text a second
// auto-reply, however late it comes; after a real answer it does.
func TestAutoReplyFollowsTheStoresWaitingSpell(t *testing.T) {
	h := newARHarness(t, "2026-12-01T23:00:00Z") // Tuesday 18:00 in New York
	const remote = "+13125550123"
	h.text(remote, "hi")
	c, _ := h.st.ConversationByNumbers(context.Background(), store.KindSMS, string(arOur), remote)
	if _, err := h.st.InsertMessage(context.Background(), &store.Message{ConversationID: c.ID, Direction: store.Outbound,
		FromNumber: string(arOur), ToNumbers: remote, Text: "on it", Status: store.OutNotSent, CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(24 * time.Hour) // Wednesday 18:00, closed, 24 h on
	h.text(remote, "hello?")
	if got := h.autoReplies(remote); got != 1 {
		t.Fatalf("a text in the same spell (no answer went) got another auto-reply: %d in all", got)
	}
	h.answer(c.ID)
	h.clock.Advance(time.Minute)
	h.text(remote, "thanks, one more thing")
	if got := h.autoReplies(remote); got != 2 {
		t.Fatalf("the first text after an accepted answer: %d auto-replies in all, want 2", got)
	}
}

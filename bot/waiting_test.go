package bot_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/store"
)

// The waiting tests run the real service parts (signed router, engine,
// outbox, poster) against the fake Slack, which records what the channel
// shows: top-level posts and replies broadcast with reply_broadcast.

func withWaiting(w bridge.WaitingConfig) obOption { return func(h *obHarness) { h.waiting = w } }

// text delivers a signed inbound text and waits until it is handled.
func (h *obHarness) text(eventID, body string) {
	h.t.Helper()
	if code := h.postTelnyx(inboundText(eventID, body)); code != http.StatusOK {
		h.t.Fatalf("webhook: %d", code)
	}
	h.settle()
}

func (h *obHarness) conv() *store.Conversation {
	h.t.Helper()
	c, err := h.st.ConversationByNumbers(context.Background(), store.KindSMS, obOur, obRemote)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// header is the conversation's thread parent as the channel shows it now.
func (h *obHarness) header(c *store.Conversation) string {
	h.t.Helper()
	m, ok := h.slack.Message(c.Channel, c.ThreadTS)
	if !ok {
		h.t.Fatal("no header")
	}
	return m.Text + "\n" + m.BlockText()
}

// inChannel is what a member scrolling the channel sees, in order.
func (h *obHarness) inChannel() []string {
	var out []string
	for _, m := range h.slack.Channel(obChannel) {
		out = append(out, m.Text)
	}
	return out
}

func TestATextInAnAnsweredConversationSignalsTheChannelOnceAndReplyingEndsTheWait(t *testing.T) {
	h := newOB(t)
	h.start()
	h.text("ev-w1", "hello, is my order ready?")
	c := h.conv()
	if got := h.inChannel(); len(got) != 1 || len(h.slack.Broadcasts(obChannel)) != 0 {
		t.Fatalf("the channel after a new conversation shows %q: want its header only (it is the signal)", got)
	}
	if hd := h.header(c); !strings.Contains(hd, "waiting under 1 min, 1 new") {
		t.Fatalf("a new conversation's header does not say it waits: %q", hd)
	}

	h.replyAndSettle(c, "Yes, you can pick it up today.")
	if hd := h.header(c); strings.Contains(strings.ToLower(hd), "waiting") {
		t.Fatalf("the header still says waiting after the reply: %q", hd)
	}

	h.clock.Advance(3 * time.Hour)
	h.text("ev-w2", "great, one more question")
	b := h.slack.Broadcasts(obChannel)
	if len(b) != 1 || !strings.Contains(b[0].Text, "great, one more question") || b[0].ThreadTS != c.ThreadTS {
		t.Fatalf("broadcasts %+v, want the new text, in its thread and in the channel", b)
	}
	if got := h.inChannel(); len(got) != 2 {
		t.Fatalf("the channel shows %d messages, want the header and the one signal: %q", len(got), got)
	}
	if hd := h.header(c); !strings.Contains(hd, "waiting under 1 min, 1 new") {
		t.Fatalf("header after the new text: %q", hd)
	}

	h.text("ev-w3", "are you there?")
	if b := h.slack.Broadcasts(obChannel); len(b) != 1 {
		t.Fatalf("%d channel-level signals after a second text while waiting, want still 1", len(b))
	}
	if texts := h.threadTexts(c); !strings.Contains(strings.Join(texts, "\n"), "are you there?") {
		t.Fatalf("the second text is not in the thread: %q", texts)
	}
	// The count shows within a minute, without a post: the sweep rewrites
	// the header in place.
	h.clock.Advance(time.Minute)
	if err := bridge.NewWaiter(h.b, slog.New(slog.DiscardHandler)).Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hd := h.header(c); !strings.Contains(hd, "waiting 1 min, 2 new") {
		t.Fatalf("header after the sweep: %q", hd)
	}
	if got := h.inChannel(); len(got) != 2 {
		t.Fatalf("the sweep posted to the channel: %q", got)
	}

	h.replyAndSettle(h.conv(), "Sure, what is it?")
	if hd := h.header(c); strings.Contains(strings.ToLower(hd), "waiting") {
		t.Fatalf("the header still says waiting after the reply: %q", hd)
	}
	if c := h.conv(); c.WaitingSince != nil || c.WaitingCount != 0 {
		t.Fatalf("the conversation still waits after the reply: %+v", c)
	}
}

func TestWaitingSignalOffKeepsEveryTextInItsThread(t *testing.T) {
	h := newOB(t, withWaiting(bridge.WaitingConfig{SignalOff: true}))
	h.start()
	h.text("ev-o1", "hello")
	h.replyAndSettle(h.conv(), "hi")
	h.text("ev-o2", "again")
	if b := h.slack.Broadcasts(obChannel); len(b) != 0 {
		t.Fatalf("broadcast with SMSBRIDGE_WAITING_SIGNAL=off: %+v", b)
	}
	if hd := h.header(h.conv()); !strings.Contains(hd, "waiting") {
		t.Fatalf("the header does not say it waits: %q", hd)
	}
}

// nudges are the thread posts that say how long the conversation waited.
func (h *obHarness) nudges(c *store.Conversation) []recorded.Message {
	var out []recorded.Message
	for _, m := range h.slack.ThreadReplies(c.Channel, c.ThreadTS) {
		if m.User == fakeslack.BotUserID && strings.Contains(m.Text, "for an answer") {
			out = append(out, m)
		}
	}
	return out
}

func TestNudgeFiresOnceAfterTheSettingWithAControlledClock(t *testing.T) {
	h := newOB(t, withWaiting(bridge.WaitingConfig{NudgeAfter: 15 * time.Minute, OnCallGroup: "S0ONCALL"}))
	h.start()
	w := bridge.NewWaiter(h.b, slog.New(slog.DiscardHandler))
	tick := func() {
		t.Helper()
		if err := w.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.settle()
	}
	h.text("ev-n1", "hello?")
	c := h.conv()
	h.clock.Advance(14 * time.Minute)
	tick()
	if n := h.nudges(c); len(n) != 0 {
		t.Fatalf("nudged after 14 min: %q", n[0].Text)
	}
	h.clock.Advance(2 * time.Minute)
	tick()
	tick()
	h.clock.Advance(2 * time.Hour)
	tick()
	n := h.nudges(c)
	if len(n) != 1 {
		t.Fatalf("%d nudges, want exactly 1", len(n))
	}
	if !strings.HasPrefix(n[0].Text, "<!subteam^S0ONCALL> ") || !strings.Contains(n[0].Text, "waited 15 min") {
		t.Fatalf("nudge %q, want the on-call group mentioned and the wait", n[0].Text)
	}
}

func TestNoNudgeWhenNudgeAfterIsOff(t *testing.T) {
	h := newOB(t)
	h.start()
	w := bridge.NewWaiter(h.b, slog.New(slog.DiscardHandler))
	h.text("ev-f1", "hello?")
	for range 3 {
		h.clock.Advance(24 * time.Hour)
		if err := w.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.settle()
	}
	if n := h.nudges(h.conv()); len(n) != 0 {
		t.Fatalf("nudged with SMSBRIDGE_NUDGE_AFTER off: %q", n[0].Text)
	}
}

package bridge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

const (
	waitOur    = "+18445550001"
	waitRemote = "+13125550123"
)

// broadcasts are the posts the bridge asked to show in the channel too.
func (h *harness) broadcasts() []recPost {
	_, posts, _, _ := h.poster.snapshot()
	var out []recPost
	for _, p := range posts {
		if p.P.Broadcast {
			out = append(out, p)
		}
	}
	return out
}

func (h *harness) text(n int, body string) {
	h.t.Helper()
	id := "w" + string(rune('a'+n))
	h.ingest(inboundBody("ev-"+id, "msg-"+id, waitRemote, waitOur, body))
	h.drain()
}

// answer records an accepted reply the way the outbox does.
func (h *harness) answer(convID uint64) {
	h.t.Helper()
	ctx := context.Background()
	m := &storeMessage{ConversationID: convID, Direction: "outbound", Status: "sending"}
	if _, err := h.st.InsertMessage(ctx, m); err != nil {
		h.t.Fatal(err)
	}
	if err := h.st.RecordAnswer(ctx, m.ID, map[string]any{"status": "queued"}, convID, map[string]any{"last_direction": "outbound"}); err != nil {
		h.t.Fatal(err)
	}
}

func TestAWaitingSpellSignalsTheChannelOnceAndANewConversationNeedsNone(t *testing.T) {
	h := newHarness(t)
	h.text(0, "first ever")
	if b := h.broadcasts(); len(b) != 0 {
		t.Fatalf("a new conversation's first text was broadcast: %+v (its header is in the channel)", b)
	}
	conv := h.conv(waitOur, waitRemote)
	h.answer(conv.ID)
	h.text(1, "back again")
	h.text(2, "hello?")
	b := h.broadcasts()
	if len(b) != 1 || b[0].P.Text != "back again" {
		t.Fatalf("broadcasts %+v, want the first text after the answer only", b)
	}
	conv = h.conv(waitOur, waitRemote)
	if conv.WaitingSince == nil || conv.WaitingCount != 2 || !conv.WaitingSignaled {
		t.Fatalf("conversation %+v, want waiting with 2 texts, signalled", conv)
	}
}

func TestWaitingSignalOffBroadcastsNothing(t *testing.T) {
	h := newHarness(t)
	h.waiting = WaitingConfig{SignalOff: true}
	h.open()
	h.text(0, "first")
	h.answer(h.conv(waitOur, waitRemote).ID)
	h.text(1, "again")
	if b := h.broadcasts(); len(b) != 0 {
		t.Fatalf("broadcast with the signal off: %+v", b)
	}
}

func TestResolvingEndsTheWait(t *testing.T) {
	h := newHarness(t)
	h.text(0, "hi")
	conv := h.conv(waitOur, waitRemote)
	if _, err := h.b.Resolve(context.Background(), conv.ID, "UANA"); err != nil {
		t.Fatal(err)
	}
	conv = h.conv(waitOur, waitRemote)
	if conv.WaitingSince != nil || conv.WaitingCount != 0 {
		t.Fatalf("resolved conversation still waits: %+v", conv)
	}
	_, _, _, ups := h.poster.snapshot()
	if last := ups[len(ups)-1]; last.WaitingText() != "" {
		t.Fatalf("header after resolve says %q", last.WaitingText())
	}
	// A text after the resolve reopens it, waits again, and is signalled.
	h.text(1, "one more thing")
	if b := h.broadcasts(); len(b) != 1 {
		t.Fatalf("broadcasts after reopening: %d, want 1", len(b))
	}
}

func TestNudgeFiresOnceAfterTheSettingAndMentionsTheAssigneeOrGroup(t *testing.T) {
	h := newHarness(t)
	h.waiting = WaitingConfig{NudgeAfter: 15 * time.Minute, OnCallGroup: "S0ONCALL"}
	h.open()
	ctx := context.Background()
	h.text(0, "anyone?")
	// Two replicas' loops on one store.
	w1, w2 := NewWaiter(h.b, h.b.log), NewWaiter(h.b, h.b.log)
	nudges := func() []recPost {
		_, posts, _, _ := h.poster.snapshot()
		var out []recPost
		for _, p := range posts {
			if strings.Contains(p.P.Text, "waited") {
				out = append(out, p)
			}
		}
		return out
	}
	tick := func() {
		t.Helper()
		for _, w := range []*Waiter{w1, w2} {
			if err := w.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		h.drain()
	}
	h.clock.Advance(14 * time.Minute)
	tick()
	if n := nudges(); len(n) != 0 {
		t.Fatalf("nudged after 14 min: %+v", n)
	}
	h.clock.Advance(2 * time.Minute)
	tick()
	tick()
	h.clock.Advance(time.Hour)
	tick()
	n := nudges()
	if len(n) != 1 || n[0].P.MentionGroup != "S0ONCALL" || n[0].P.Mention != "" {
		t.Fatalf("nudges %+v, want one to the on-call group", n)
	}

	// Claimed, answered, waiting again: the next spell nudges its assignee.
	conv := h.conv(waitOur, waitRemote)
	if _, err := h.b.Claim(ctx, conv.ID, "UANA"); err != nil {
		t.Fatal(err)
	}
	h.answer(conv.ID)
	h.text(1, "still there?")
	h.clock.Advance(16 * time.Minute)
	tick()
	n = nudges()
	if len(n) != 2 || n[1].P.Mention != "UANA" || n[1].P.MentionGroup != "" {
		t.Fatalf("nudges %+v, want a second one to the assignee", n)
	}
}

func TestNoNudgeWhenTheSettingIsOff(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.text(0, "anyone?")
	w := NewWaiter(h.b, h.b.log)
	h.clock.Advance(30 * 24 * time.Hour)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	h.drain()
	_, posts, _, _ := h.poster.snapshot()
	for _, p := range posts {
		if strings.Contains(p.P.Text, "waited") {
			t.Fatalf("nudged with the setting off: %+v", p)
		}
	}
}

func TestHeaderCountIsDebouncedAndTheSweepCatchesUp(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.text(0, "one")
	conv := h.conv(waitOur, waitRemote)
	h.answer(conv.ID)
	h.b.ShowAnswered(ctx, conv.ID)
	_, _, _, before := h.poster.snapshot()
	h.text(1, "two")   // the wait starts: header rewritten at once
	h.text(2, "three") // within a minute: left to the sweep
	h.text(3, "four")
	_, _, _, ups := h.poster.snapshot()
	if got := len(ups) - len(before); got != 1 {
		t.Fatalf("%d header rewrites for three texts within a minute, want 1", got)
	}
	if s := ups[len(ups)-1].WaitingText(); s != "waiting under 1 min, 1 new" {
		t.Fatalf("header says %q", s)
	}
	w := NewWaiter(h.b, h.b.log)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, _, again := h.poster.snapshot(); len(again) != len(ups) {
		t.Fatal("the sweep rewrote a header before its debounce ran out")
	}
	h.clock.Advance(time.Minute)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, _, ups = h.poster.snapshot()
	if s := ups[len(ups)-1].WaitingText(); s != "waiting 1 min, 3 new" {
		t.Fatalf("header after the sweep says %q", s)
	}
	// Nothing changed: the next due is when the age changes, a minute on.
	n := len(ups)
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, _, again := h.poster.snapshot(); len(again) != n {
		t.Fatal("the sweep rewrote a header that was up to date")
	}
}

type storeMessage = store.Message

// conv reads the SMS conversation of our number with remote.
func (h *harness) conv(our, remote string) *store.Conversation {
	h.t.Helper()
	c, err := h.st.ConversationByNumbers(context.Background(), store.KindSMS, our, remote)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// Nudges count only our number's open hours: a text at 16:50 on a Friday
// (open until 17:00) with a 15-minute nudge is nudged at 9:05 on Monday,
// not at 17:05 on Friday nor at 9:00 on Monday.
func TestNudgesCountOnlyOpenHours(t *testing.T) {
	h := newHarness(t)
	h.waiting = WaitingConfig{NudgeAfter: 15 * time.Minute}
	h.clock.t = time.Date(2026, 12, 4, 21, 50, 0, 0, time.UTC) // Friday 16:50 in New York
	h.open()
	ctx := context.Background()
	if _, err := h.b.SetHours(ctx, waitOur, strings.Fields("mon-fri 09:00-17:00 America/New_York"), "UADMIN"); err != nil {
		t.Fatal(err)
	}
	h.text(0, "are you there?")
	w := NewWaiter(h.b, h.b.log)
	nudged := func() bool {
		t.Helper()
		if err := w.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		h.drain()
		_, posts, _, _ := h.poster.snapshot()
		for _, p := range posts {
			if strings.Contains(p.P.Text, "waited") {
				return true
			}
		}
		return false
	}
	for _, at := range []time.Time{
		time.Date(2026, 12, 4, 22, 6, 0, 0, time.UTC), // Friday 17:06: 10 min open
		time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), // Sunday: still 10 min
		time.Date(2026, 12, 7, 14, 4, 0, 0, time.UTC), // Monday 9:04: 14 min
	} {
		h.clock.Advance(at.Sub(h.clock.Now()))
		if nudged() {
			t.Fatalf("nudged at %s, with less than 15 min of open hours waited", at)
		}
	}
	h.clock.Advance(2 * time.Minute) // Monday 9:06: 16 min
	if !nudged() {
		t.Fatal("not nudged after 16 min of open hours")
	}
}

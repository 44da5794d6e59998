package bot

import (
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Scheduled messages never carry Slack message metadata: smsbridge never
// asks Slack to schedule a post (chat.scheduleMessage drops metadata, a
// known Slack fault), and the notes a scheduled SMS leaves in its thread
// (scheduled, handed over, cancelled) carry none, so no workflow takes one
// for a text that was sent.
func TestScheduledPostsNeverCarryMetadata(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule tomorrow 9am (312) 555-0123 Handed at once")
	e.text(userAlice, chSupport, "schedule 2026-12-06T12:00:00Z +13125550123 Held ten days")
	e.text(userAlice, chSupport, "schedule 2026-12-07T12:00:00Z +13125550123 Cancel me")
	e.text(userAlice, chSupport, "cancel 3")
	e.clock.Advance(5*24*time.Hour + 2*time.Hour) // #2 comes into Telnyx's window
	for range 3 {
		e.tick()
	}
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages/schedule")); n != 2 {
		t.Fatalf("%d hand-offs to Telnyx, want 2", n)
	}
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatal(err)
	}
	notes := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if len(notes) < 3 {
		t.Fatalf("thread notes %+v, want scheduled, scheduled and cancelled at least", notes)
	}
	for _, m := range notes {
		if md := m.Meta(); md.EventType != "" || len(m.Metadata) != 0 {
			t.Errorf("scheduled note %q carries metadata %s", m.Text, m.Metadata)
		}
	}
	if calls := e.slack.Calls("chat.scheduleMessage"); len(calls) != 0 {
		t.Errorf("smsbridge scheduled %d Slack posts", len(calls))
	}
}

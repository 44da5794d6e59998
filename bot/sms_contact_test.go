package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/store"
)

func TestContactCommandNamesANumberAndItsThreadHeaders(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)

	reply := e.command(userAna, `contact (312) 555-0123 "Ana <Lopez>"`)

	if reply.ResponseType != "ephemeral" || !strings.Contains(reply.Text, "+1 312-555-0123 is now *Ana &lt;Lopez&gt;*") || !strings.Contains(reply.Text, "1 thread") {
		t.Fatalf("reply: %+v", reply)
	}
	got, err := e.st.Contact(t.Context(), "+13125550123")
	if err != nil || got.Name != "Ana <Lopez>" || got.SetBy != userAna {
		t.Fatalf("stored contact %+v err %v", got, err)
	}
	h := e.header(c)
	if h.Updates != 1 || !strings.Contains(h.BlockText(), "Ana &lt;Lopez&gt;") {
		t.Errorf("header (updates %d): %s", h.Updates, h.BlockText())
	}
}

func TestContactCommandWithoutNameShowsWhatIsKnown(t *testing.T) {
	e := newInboxEnv(t)
	stop := e.clock.Now().Add(-time.Hour)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateClaimed, "assignee_id": userBen,
		"opted_out": true, "opt_out_keyword": "STOP", "opt_out_at": stop})
	e.command(userAna, "contact +1 312 555 0123 Ana Lopez")

	reply := e.command(userAna, "contact 312-555-0123")

	for _, want := range []string{"*Ana Lopez* · +1 312-555-0123", "named by <@UANA>", "with +1 844-555-0001: claimed by <@UBEN>",
		"opted out (texted STOP)", "|thread>", fakeslack.Permalink(c.Channel, c.ThreadTS)} {
		if !strings.Contains(reply.Text, want) {
			t.Errorf("reply %q lacks %q", reply.Text, want)
		}
	}

	reply = e.command(userAna, "contact +13125550999")
	if !strings.Contains(reply.Text, "has no name yet") || !strings.Contains(reply.Text, "No conversations") {
		t.Errorf("unknown number: %q", reply.Text)
	}
}

func TestContactCommandRejectsWhatIsNotANumber(t *testing.T) {
	e := newInboxEnv(t)
	for _, text := range []string{"contact", "contact Ana", "contact 12 Ana"} {
		reply := e.command(userAna, text)
		if !strings.Contains(reply.Text, "Usage: `/sms contact <number> [name | --clear]`") {
			t.Errorf("%q: %q", text, reply.Text)
		}
	}
	if n, _ := e.st.ContactNames(t.Context(), []string{"+12"}); len(n) != 0 {
		t.Errorf("stored %v", n)
	}
}

func TestHistoryCommandShowsBothDirectionsWithDeliveryStates(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)
	e.command(userAna, `contact +13125550123 Ana`)
	base := e.clock.Now().Add(-time.Hour)
	for i, m := range []store.Message{
		{Direction: store.Inbound, Text: "is it ready? <!here>", Status: "received", FromNumber: "+13125550123", ToNumbers: "+13125550123,+18445550001"},
		{Direction: store.Outbound, Text: "yes, come by", Status: "delivered", AuthorID: userBen},
		{Direction: store.Outbound, Text: "we close at 6", Status: "delivery_failed", ErrorText: "30003 Unreachable destination handset", AuthorID: userBen},
		{Direction: store.Outbound, Text: "still there?", Status: "queued", AuthorID: userAna},
	} {
		m.ConversationID, m.CreatedAt = c.ID, base.Add(time.Duration(i)*time.Minute)
		if _, err := e.st.InsertMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
	}

	reply := e.command(userBen, "history (312) 555-0123")

	text := reply.Text
	want := []string{
		"*Ana* · +1 312-555-0123",
		fakeslack.Permalink(c.Channel, c.ThreadTS),
		":inbox_tray: is it ready? &lt;!here&gt;",
		":outbox_tray: <@UBEN>: yes, come by — :white_check_mark: delivered",
		"we close at 6 — :x: delivery failed (30003 Unreachable destination handset)",
		":outbox_tray: <@UANA>: still there? — :hourglass_flowing_sand: queued",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(text, w)
		if i < 0 {
			t.Errorf("history lacks %q:\n%s", w, text)
			continue
		}
		if i < last {
			t.Errorf("%q out of order:\n%s", w, text)
		}
		last = i
	}
	if reply.ResponseType != "ephemeral" {
		t.Errorf("history is not ephemeral: %q", reply.ResponseType)
	}

	if reply := e.command(userBen, "history +13125550999"); !strings.Contains(reply.Text, "No conversations with +1 312-555-0999") {
		t.Errorf("unknown number: %q", reply.Text)
	}
}

func TestContactAndHistoryIncludeGroupConversations(t *testing.T) {
	e := newInboxEnv(t)
	e.conversation("+13125550123", nil)
	g := e.conversation("+13125550123,+14155550188,+16465550142", nil)
	e.conversation("+14155550188", nil) // not with our number of interest
	if _, err := e.st.InsertMessage(t.Context(), &store.Message{ConversationID: g.ID, Direction: store.Inbound,
		Text: "group hello", Status: "received", FromNumber: "+14155550188", CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}

	reply := e.command(userAna, "contact +13125550123")
	if strings.Count(reply.Text, "• ") != 2 || !strings.Contains(reply.Text, "group MMS: +1 312-555-0123, +1 415-555-0188, +1 646-555-0142") {
		t.Errorf("contact: %q", reply.Text)
	}
	reply = e.command(userAna, "history +13125550123")
	if !strings.Contains(reply.Text, "group hello") || !strings.Contains(reply.Text, "group MMS") {
		t.Errorf("history: %q", reply.Text)
	}
	// A number in the middle of a group's key is found too, and a number
	// that merely starts the same way is not.
	if cs, _ := e.st.ConversationsOf(t.Context(), "+14155550188", 10); len(cs) != 2 {
		t.Errorf("%d conversations of +14155550188", len(cs))
	}
	if cs, _ := e.st.ConversationsOf(t.Context(), "+1312555012", 10); len(cs) != 0 {
		t.Errorf("a prefix matched %d conversations", len(cs))
	}
}

func TestContactCommandClearForgetsTheName(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)
	e.command(userAna, `contact +13125550123 "Ana Lopez"`)

	reply := e.command(userAna, "contact +13125550123 --clear")

	if !strings.Contains(reply.Text, "has no name now") {
		t.Fatalf("reply: %q", reply.Text)
	}
	if _, err := e.st.Contact(t.Context(), "+13125550123"); err == nil {
		t.Fatal("the name is still stored")
	}
	if h := e.header(c); h.Updates != 2 || strings.Contains(h.BlockText(), "Ana Lopez") {
		t.Errorf("header (updates %d) still names the contact: %s", h.Updates, h.BlockText())
	}
}

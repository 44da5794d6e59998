package bridge

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/store"
)

func replyRefusal(t *testing.T, err error) string {
	t.Helper()
	var re *ReplyError
	if !errors.As(err, &re) {
		t.Fatalf("want a *ReplyError, got %v", err)
	}
	return re.Reason
}

func TestSavedReplyFillsEveryVariableFromTheConversation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.b.SetInboxHooks(mapNamer{"U1": "Dana"}, nil)
	if err := h.st.SetContact(ctx, &store.Contact{Number: "+13125550123", Name: "Ana Lopez"}); err != nil {
		t.Fatal(err)
	}
	if err := h.b.AddSavedReply(ctx, "Hours", "Hi {first_name} ({name}), {agent} here: call {our_number}.", "U1"); err != nil {
		t.Fatal(err)
	}
	got, err := h.b.FillSavedReply(ctx, "hours", ReplyContext{From: "+18445550001", To: []E164{"+13125550123"}, AgentID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hi Ana (Ana Lopez), Dana here: call +1 844-555-0001."; got != want {
		t.Fatalf("filled %q, want %q", got, want)
	}
}

func TestSavedReplyWithAVariableWithoutValueIsRefusedNamingIt(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.b.AddSavedReply(ctx, "hi", "Hi {first_name}, this is {our_number}.", "U1"); err != nil {
		t.Fatal(err)
	}
	// The number has no contact name.
	_, err := h.b.FillSavedReply(ctx, "hi", ReplyContext{From: "+18445550001", To: []E164{"+13125550123"}, AgentID: "U1"})
	reason := replyRefusal(t, err)
	if !strings.Contains(reason, "{first_name}") || strings.Contains(reason, "{our_number}") || !strings.Contains(reason, "/sms contact") {
		t.Fatalf("refusal %q: want it to name {first_name} (and how to fix it), and only it", reason)
	}
	// A pool send has no number yet.
	_, err = h.b.FillSavedReply(ctx, "hi", ReplyContext{To: []E164{"+13125550123"}})
	if reason := replyRefusal(t, err); !strings.Contains(reason, "{our_number}") {
		t.Fatalf("pool refusal %q: want {our_number} named", reason)
	}
}

func TestSavedReplyRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []struct{ name, text, want string }{
		{"two words", "x", "one word"},
		{"x", "", "Missing the text"},
		{"x", "Hi {nickname}", "Unknown variable {nickname}"},
		{"x", strings.Repeat("a", MaxReplyText+1), "at most 1600"},
	} {
		if reason := replyRefusal(t, h.b.AddSavedReply(ctx, c.name, c.text, "U1")); !strings.Contains(reason, c.want) {
			t.Errorf("add %q %q: %q, want it to say %q", c.name, c.text, reason, c.want)
		}
	}
	if err := h.b.AddSavedReply(ctx, "hours", "9-5", "U1"); err != nil {
		t.Fatal(err)
	}
	if reason := replyRefusal(t, h.b.AddSavedReply(ctx, "HOURS", "other", "U2")); !strings.Contains(reason, "exists already") {
		t.Errorf("duplicate: %q", reason)
	}
	_, err := h.b.FillSavedReply(ctx, "hour", ReplyContext{From: "+18445550001", To: []E164{"+13125550123"}})
	if reason := replyRefusal(t, err); !strings.Contains(reason, "`hour`") || !strings.Contains(reason, "`hours`") {
		t.Errorf("unknown name: %q, want the name asked for and the names saved", reason)
	}
	if reason := replyRefusal(t, h.b.RemoveSavedReply(ctx, "nope")); !strings.Contains(reason, "`nope`") {
		t.Errorf("remove unknown: %q", reason)
	}
	if err := h.b.RemoveSavedReply(ctx, "hours"); err != nil {
		t.Fatal(err)
	}
	if list, _ := h.b.SavedReplies(ctx); len(list) != 0 {
		t.Fatalf("after remove: %+v", list)
	}
}

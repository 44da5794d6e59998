package bot

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/store"
)

func TestSavedReplyAddListRemoveAndWhoMay(t *testing.T) {
	e := newSMSEnv(t)
	got := e.text(userAlice, chSupport, "reply add hours We are open 9–5, {first_name}.")
	mustContain(t, got, "only smsbridge admins may add saved replies", "SMSBRIDGE_REPLIES_EVERYONE")
	if list, _ := e.br.SavedReplies(e.ctx); len(list) != 0 {
		t.Fatalf("a teammate's add was kept: %+v", list)
	}
	mustContain(t, e.text(userAdmin, chSupport, "reply add Hours We are open 9–5, {first_name}."), "Saved reply `hours` added.")
	mustContain(t, e.text(userAdmin, chSupport, "reply add hours again"), "exists already")
	mustContain(t, e.text(userAdmin, chSupport, "reply add bad Hi {nick}"), "Unknown variable {nick}")
	// Anyone may list them.
	mustContain(t, e.text(userAlice, chSupport, "reply list"), "*Saved replies* (1)", "`hours` — We are open 9–5, {first_name}.")
	mustContain(t, e.text(userAlice, chSupport, "reply remove hours"), "only smsbridge admins may remove")
	mustContain(t, e.text(userAdmin, chSupport, "reply remove nope"), "no saved reply called `nope`", "`hours`")
	mustContain(t, e.text(userAdmin, chSupport, "reply remove hours"), "Saved reply `hours` removed.")
	mustContain(t, e.text(userAlice, chSupport, "reply list"), "No saved replies yet")
	mustContain(t, e.text(userAlice, chSupport, "reply use hours"), "Send saved reply", "/sms send --reply")

	// SMSBRIDGE_REPLIES_EVERYONE lets every teammate add and remove.
	e.repliesEveryone = true
	e.restart()
	mustContain(t, e.text(userAlice, chSupport, "reply add thanks Thanks!"), "Saved reply `thanks` added.")
	mustContain(t, e.text(userAlice, chSupport, "reply remove thanks"), "removed")
}

func TestSendWithSavedReplyFillsItFromTheConversation(t *testing.T) {
	e := newSMSEnv(t)
	if err := e.st.SetContact(e.ctx, &store.Contact{Number: remote, Name: "Ana Lopez"}); err != nil {
		t.Fatal(err)
	}
	e.text(userAdmin, chSupport, "reply add hi Hi {first_name}, {agent} here. Call {our_number}.")
	got := e.text(userAlice, chSupport, "send --reply hi (312) 555-0123")
	mustContain(t, got, "Sending to", "+1 312-555-0123")
	body := e.only("POST /messages")
	if body["text"] != "Hi Ana, alice here. Call +1 844-555-0001." || body["from"] != ourNumber {
		t.Fatalf("sent %v", body)
	}
	// The post in the thread carries sms_sent metadata for workflows.
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatal(err)
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if len(replies) != 1 {
		t.Fatalf("thread posts %+v", replies)
	}
	md := replies[0].Meta()
	if md.EventType != bridge.EventSMSSent || md.EventPayload["to"] != remote || md.EventPayload["sent_by"] != userAlice || md.EventPayload["from"] != ourNumber {
		t.Errorf("sent post metadata %+v", md)
	}
}

func TestSendWithSavedReplyRefusals(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAdmin, chSupport, "reply add hi Hi {first_name}!")
	// No contact name: refused before sending, naming the variable.
	mustContain(t, e.text(userAlice, chSupport, "send --reply hi (312) 555-0123"), "{first_name}", "/sms contact")
	mustContain(t, e.text(userAlice, chSupport, "send --reply hello (312) 555-0123"), "no saved reply called `hello`", "`hi`")
	mustContain(t, e.text(userAlice, chSupport, "send --reply hi (312) 555-0123 and more"), "either a text or --reply")
	mustContain(t, e.text(userAlice, chSupport, "group --reply hi +13125550123,+13125550124"), "--reply works with /sms send")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("%d sends, want none", n)
	}
}

// The "Send saved reply" message shortcut on a thread: pick a reply, its
// text is filled (editable), Send queues it to the thread's conversation.
func TestSavedReplyShortcutFillsTheModalAndSendsToTheThread(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAdmin, chSupport, "reply add hi Hi {first_name}!")
	e.text(userAlice, chSupport, "send +13125550123 first")
	conv, _ := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	post := e.slack.ThreadReplies(chSupport, conv.ThreadTS)[0]

	e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeMessageAction, CallbackID: smscmd.ReplyShortcutID,
		TriggerID: "TRIG-shortcut", User: slack.User{ID: userAlice}, Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: chSupport}}},
		Message: slack.Message{Msg: slack.Msg{Timestamp: post.TS, ThreadTimestamp: conv.ThreadTS}}})
	e.settle()
	views := e.slack.Views()
	if len(views) != 1 || views[0].TriggerID != "TRIG-shortcut" {
		t.Fatalf("views %+v", views)
	}
	v := views[0]
	if !strings.Contains(string(v.JSON), "+1 312-555-0123") || !strings.Contains(string(v.JSON), `"hi"`) {
		t.Errorf("modal %s", v.JSON)
	}
	pick := func(name string) {
		e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: userAlice},
			View:           slack.View{ID: v.ID, Hash: e.slack.Views()[0].Hash, CallbackID: smscmd.ReplyModalID, PrivateMetadata: viewMeta(t, v)},
			ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: smscmd.ReplyPickAction, SelectedOption: slack.OptionBlockObject{Value: name}}}}})
		e.settle()
	}
	// No name yet: the modal says which variable has no value.
	pick("hi")
	if noted := e.slack.Views()[0]; !strings.Contains(string(noted.JSON), "{first_name}") || strings.Contains(string(noted.JSON), `"initial_value":"Hi`) {
		t.Fatalf("a reply missing a value was filled: %s", noted.JSON)
	}
	e.st.SetContact(e.ctx, &store.Contact{Number: remote, Name: "Ana Lopez"})
	pick("hi")
	filled := e.slack.Views()[0]
	if filled.Updates != 2 || !strings.Contains(string(filled.JSON), `"initial_value":"Hi Ana!"`) || !strings.Contains(string(filled.JSON), `"block_id":"reply_text_hi"`) {
		t.Fatalf("after picking, the view is %s", filled.JSON)
	}
	// The teammate edits it and sends.
	vals := map[string]map[string]slack.BlockAction{"reply_text_hi": {smscmd.ReplyTextAction: {Value: "Hi Ana! See you soon."}}}
	resp := e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: userAlice},
		View: slack.View{ID: v.ID, CallbackID: smscmd.ReplyModalID, PrivateMetadata: viewMeta(t, v), State: &slack.ViewState{Values: vals}}})
	if resp != nil {
		t.Fatalf("submission answered %+v, want the modal closed", resp)
	}
	e.settle()
	sends := e.tx.RequestsTo("POST /messages")
	if len(sends) != 2 || sends[1].BodyMap()["text"] != "Hi Ana! See you soon." || sends[1].BodyMap()["to"] != remote {
		t.Fatalf("sends %+v", sends)
	}
	if n := len(e.slack.ThreadReplies(chSupport, conv.ThreadTS)); n != 2 {
		t.Errorf("%d posts in the thread, want the first text and the reply", n)
	}
}

func viewMeta(t *testing.T, v interface{ SlackView() (slack.View, error) }) string {
	t.Helper()
	sv, err := v.SlackView()
	if err != nil {
		t.Fatal(err)
	}
	return sv.PrivateMetadata
}

// The saved-reply modal takes the same way out: in the recipient's quiet
// hours it sends nothing until the teammate confirms, and asks beside the
// thread.
func TestSavedReplyShortcutInQuietHoursAsksBeforeSending(t *testing.T) {
	e := newSMSEnv(t)
	e.quiet = bridge.DefaultQuietHours // the clock's 12:00 UTC is 6:00 in Chicago
	e.restart()
	e.text(userAdmin, chSupport, "reply add open We open at 9.")
	e.inbound(remote, ourNumber, "are you open?")
	conv := e.conv(store.KindSMS, ourNumber, remote)
	// The conversation's first text rides in its header: the shortcut is
	// used on the header, which has no replies yet.
	e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeMessageAction, CallbackID: smscmd.ReplyShortcutID,
		TriggerID: "TRIG-quiet", User: slack.User{ID: userAlice}, Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: chSupport}}},
		Message: slack.Message{Msg: slack.Msg{Timestamp: conv.ThreadTS}}})
	e.settle()
	v := e.slack.Views()[0]
	vals := map[string]map[string]slack.BlockAction{"reply_text_": {smscmd.ReplyTextAction: {Value: "We open at 9."}}}
	resp := e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: userAlice},
		View: slack.View{ID: v.ID, CallbackID: smscmd.ReplyModalID, PrivateMetadata: viewMeta(t, v), State: &slack.ViewState{Values: vals}}})
	if resp != nil {
		t.Fatalf("submission answered %+v, want the modal closed", resp)
	}
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("a quiet-hours reply went before it was confirmed (%d sends)", n)
	}
	asked := ""
	for _, m := range e.slack.Ephemerals(chSupport) {
		if m.User == userAlice && strings.Contains(m.Text, "Not sent yet.") {
			asked = m.Text
		}
	}
	if asked == "" {
		t.Fatalf("the teammate was not asked: %+v", e.slack.Ephemerals(chSupport))
	}
	mustContain(t, asked, "6:00 am for +13125550123 (America/Chicago)", "8:00 am their time")
}

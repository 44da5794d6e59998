package bot

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/store"
)

// The compose modal's saved-reply select fills the message from the To
// typed so far; the text stays editable and is sent as submitted.
func TestComposeSavedReplyFillsTheMessage(t *testing.T) {
	e := newSMSEnv(t)
	e.st.SetContact(e.ctx, &store.Contact{Number: remote, Name: "Ana Lopez"})
	e.text(userAdmin, chSupport, "reply add hi Hi {first_name}, {our_number} here.")
	e.run(userAlice, chSupport, "")
	e.settle()
	views := e.slack.Views()
	if len(views) != 1 || !strings.Contains(string(views[0].JSON), smscmd.ComposeReplyAction) {
		t.Fatalf("compose modal without the saved-reply select: %+v", views)
	}
	pick := func(to string, reply ...string) string {
		name := "hi"
		if len(reply) > 0 {
			name = reply[0]
		}
		v := e.slack.Views()[0]
		vals := map[string]map[string]slack.BlockAction{smscmd.ComposeTo: {smscmd.ComposeTo: {Value: to}}}
		e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: userAlice},
			View:           slack.View{ID: v.ID, Hash: v.Hash, CallbackID: smscmd.ComposeCallbackID, PrivateMetadata: chSupport, State: &slack.ViewState{Values: vals}},
			ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: smscmd.ComposeReplyAction, SelectedOption: slack.OptionBlockObject{Value: name}}}}})
		e.settle()
		return string(e.slack.Views()[0].JSON)
	}
	// Without a recipient there is nothing to fill from.
	mustContain(t, pick(""), "Write who it goes to first")
	// A number with no contact name has no {first_name}: the note names it
	// and the text is not filled.
	got := pick("(312) 555-0199")
	mustContain(t, got, "{first_name}", "/sms contact")
	if strings.Contains(got, "Hi ,") || strings.Contains(got, `"initial_value":"Hi`) {
		t.Fatalf("filled without the name: %s", got)
	}
	got = pick("(312) 555-0123")
	mustContain(t, got, `"initial_value":"Hi Ana, +1 844-555-0001 here."`, "1 SMS")
	sv, err := e.slack.Views()[0].SlackView()
	if err != nil {
		t.Fatal(err)
	}
	var textBlock string
	for _, b := range sv.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && strings.HasPrefix(in.BlockID, smscmd.ComposeText+"_") {
			textBlock = in.BlockID
		}
	}
	if textBlock == "" {
		t.Fatalf("the filled field keeps its block id, so Slack would keep the old text: %s", got)
	}
	vals := map[string]map[string]slack.BlockAction{
		smscmd.ComposeTo: {smscmd.ComposeTo: {Value: "(312) 555-0123"}},
		textBlock:        {smscmd.ComposeTextAction: {Value: "Hi Ana, +1 844-555-0001 here. Edited."}},
	}
	resp := e.in.Handle(e.ctx, &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: userAlice},
		View: slack.View{ID: sv.ID, CallbackID: smscmd.ComposeCallbackID, PrivateMetadata: chSupport, State: &slack.ViewState{Values: vals}}})
	if resp != nil {
		t.Fatalf("submission answered %+v", resp)
	}
	e.settle()
	if body := e.only("POST /messages"); body["text"] != "Hi Ana, +1 844-555-0001 here. Edited." || body["to"] != remote {
		t.Fatalf("sent %v", body)
	}
}

package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/smscmd/ournumbers"
	"github.com/smsbridge/smsbridge/smscmd/schedule"
	"github.com/smsbridge/smsbridge/store"
)

// The README's own first example works in the default inbox once
// smsbridge has learned our numbers from Telnyx: the number not routed
// elsewhere sends from the default channel.
func TestFirstSendFromTheDefaultInboxUsesOurNumberLearnedFromTelnyx(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chInbox, "send (312) 555-0123 On our way!"), "knows no number of ours for this channel")
	// +18445550001 is routed to #support; +18445550002 is not: it is the
	// default inbox's.
	if n, err := e.br.LearnNumbers(e.ctx, e.api); err != nil || n != 2 {
		t.Fatalf("learned %d numbers: %v", n, err)
	}
	mustContain(t, e.text(userAlice, chInbox, "send (312) 555-0123 On our way!"), "Sending to", "from +1 844-555-0002", "<#"+chInbox+">")
	body := e.only("POST /messages")
	if body["from"] != ourNumber2 || body["text"] != "On our way!" {
		t.Errorf("send body = %v", body)
	}
}

func TestSeveralNumbersInAChannelAskWhichWithButtons(t *testing.T) {
	e := newSMSEnv(t)
	e.tx.SetNumbers(
		faketelnyx.Number("1", ourNumber, faketelnyx.DefaultProfileID),
		faketelnyx.Number("2", ourNumber2, faketelnyx.DefaultProfileID),
		faketelnyx.Number("3", "+18445550003", faketelnyx.DefaultProfileID),
	)
	if _, err := e.br.LearnNumbers(e.ctx, e.api); err != nil {
		t.Fatal(err)
	}
	msg, url := e.run(userAlice, chInbox, "send +13125550123 Which number?")
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("sent before a number was picked")
	}
	mustContain(t, msg.Text, "several numbers")
	var picks []string
	for _, b := range msg.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && strings.HasPrefix(btn.ActionID, smscmd.ActionSendFrom+"_") {
					picks = append(picks, btn.Value)
				}
			}
		}
	}
	if len(picks) != 2 { // +18445550002 and +18445550003; +18445550001 is #support's
		t.Fatalf("%d buttons, want 2: %v", len(picks), picks)
	}
	cb := &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: userAlice}, ResponseURL: url,
		Channel: slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: chInbox}}}, TriggerID: "TRIG-pick",
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: smscmd.ActionSendFrom + "_1", Value: picks[1]}}}}
	e.in.Handle(e.ctx, cb)
	e.settle()
	body := e.only("POST /messages")
	if body["from"] != "+18445550003" || body["text"] != "Which number?" {
		t.Fatalf("send body = %v", body)
	}
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !posts[0].ReplaceOriginal || !strings.Contains(posts[0].Text, "from +1 844-555-0003") {
		t.Fatalf("answer to the pick = %+v", posts)
	}
	if _, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, "+18445550003", remote); err != nil {
		t.Errorf("no conversation for the picked number: %v", err)
	}
}

func TestSenderIDAndShortCodeAcknowledgementsPromiseNoReplies(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "send --from MyShop +13125550123 Your code is 1234"), "one-way", "cannot reply")
	mustContain(t, e.text(userAlice, chSupport, "send --from 12345 +13125550123 hi"), "only if the short code takes texts back")
	if got := e.text(userAlice, chSupport, "send +13125550123 hi"); !strings.Contains(got, "replies will come there") {
		t.Errorf("a number's acknowledgement = %q", got)
	}
}

func TestComposeWithoutASenderInAChannelOfSeveralNumbersAsksOnFrom(t *testing.T) {
	e := newSMSEnv(t)
	e.tx.SetNumbers(
		faketelnyx.Number("2", ourNumber2, faketelnyx.DefaultProfileID),
		faketelnyx.Number("3", "+18445550003", faketelnyx.DefaultProfileID),
	)
	if _, err := e.br.LearnNumbers(e.ctx, e.api); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ channel, field string }{{chInbox, smscmd.ComposeFrom}, {"CNOWHERE", smscmd.ComposeFromOther}} {
		vals := map[string]map[string]slack.BlockAction{
			smscmd.ComposeTo:   {smscmd.ComposeTo: {Value: "+13125550123"}},
			smscmd.ComposeText: {smscmd.ComposeTextAction: {Value: "typed text"}},
		}
		cb := &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: userAlice},
			View: slack.View{ID: "V" + tc.channel, CallbackID: smscmd.ComposeCallbackID, PrivateMetadata: tc.channel, State: &slack.ViewState{Values: vals}}}
		resp, ok := e.in.Handle(e.ctx, cb).(*slack.ViewSubmissionResponse)
		e.settle()
		if !ok || resp.Errors[tc.field] == "" || strings.Contains(resp.Errors[tc.field], "--from") {
			t.Errorf("%s: answer %+v, want an error on %s in words a modal can use", tc.channel, resp, tc.field)
		}
	}
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Errorf("sent without a sender")
	}
}

func TestTelnyxFailuresReachSlackInWordsNotAsRawErrors(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "schedule tomorrow 9am +13125550123 later"), "Scheduled #1")
	e.tx.Enqueue("DELETE /messages/{id}", faketelnyx.BareError(404, "10005", "Resource not found", "The requested resource or URL could not be found."))
	got := e.text(userAlice, chSupport, "cancel 1")
	mustContain(t, got, "Cannot cancel 1", "Telnyx has no such message")
	for _, raw := range []string{"telnyx:", "DELETE", "/messages", "404 Not Found"} {
		if strings.Contains(got, raw) {
			t.Errorf("the answer shows %q: %q", raw, got)
		}
	}
}

func TestScheduledAndNumbersListsAreWholeWithTrueTotals(t *testing.T) {
	e := newSMSEnv(t)
	for i := range 63 {
		e.text(userAlice, chSupport, fmt.Sprintf("schedule in 2 weeks +1312555%04d hello %d", 1000+i, i))
	}
	msg, url := e.run(userAlice, chSupport, "scheduled")
	mustContain(t, msg.Text, "63 scheduled message(s)", "(1–20)")
	for _, want := range []string{"(21–40)", "(41–60)", "(61–63)"} {
		e.press(userAlice, schedule.ActionScheduledMore, buttonValue(t, msg, schedule.ActionScheduledMore), url)
		posts := e.slack.ResponsePosts(url)
		last := posts[len(posts)-1]
		if !last.ReplaceOriginal || !strings.Contains(last.Text, "*63 scheduled message(s)* "+want) {
			t.Fatalf("page answer %q, want %s", last.Text, want)
		}
		msg = &slack.Msg{Text: last.Text}
		if err := json.Unmarshal(last.Blocks, &msg.Blocks); err != nil {
			t.Fatal(err)
		}
	}
	if hasButton(msg, schedule.ActionScheduledMore) {
		t.Errorf("the last page offers More")
	}

	var seeds []map[string]any
	for i := range 120 {
		seeds = append(seeds, faketelnyx.Number(fmt.Sprint(5000+i), fmt.Sprintf("+1844555%04d", 1000+i), faketelnyx.DefaultProfileID))
	}
	e.tx.SetNumbers(seeds...)
	msg, url = e.run(userAdmin, chSupport, "numbers")
	mustContain(t, msg.Text, "page 1 of 3, 120 in all", "+1 844-555-1000")
	e.press(userAdmin, ournumbers.ActionNumbersMore, buttonValue(t, msg, ournumbers.ActionNumbersMore), url)
	posts := e.slack.ResponsePosts(url)
	mustContain(t, posts[len(posts)-1].Text, "page 2 of 3", "+1 844-555-1050")
}

func hasButton(msg *slack.Msg, action string) bool {
	for _, b := range msg.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == action {
					return true
				}
			}
		}
	}
	return false
}

package bot_test

import (
	"testing"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackpost"
)

// Posts smsbridge makes carry Slack message metadata for Workflow Builder
// and other apps: the header, an inbound text, a claim.
func TestPostsCarryMessageMetadata(t *testing.T) {
	e := newInboxEnv(t)
	e.runEngine()
	e.text("e1", "+13125550123", "hi")
	c := e.threadOf("+13125550123")
	e.handled("+13125550123", "hi")
	e.press(userAna, slackpost.ActionClaim, c, "")
	// The first text rides in the header; the next is a post of its own.
	e.text("e2", "+13125550123", "still there?")
	replies := e.waitReplies(c, 2)

	head := e.header(c).Meta()
	if head.EventType != bridge.EventConversationStarted || head.EventPayload["our_number"] != ourNumber ||
		head.EventPayload["remote_numbers"] != "+13125550123" || head.EventPayload["conversation_id"] == "" {
		t.Errorf("header metadata %+v", head)
	}
	in := replies[1].Meta()
	if in.EventType != bridge.EventSMSReceived || in.EventPayload["from"] != "+13125550123" || in.EventPayload["telnyx_message_id"] == nil {
		t.Errorf("inbound text metadata %+v", in)
	}
	claim := replies[0].Meta()
	if claim.EventType != bridge.EventConversationClaimed || claim.EventPayload["assignee"] != userAna || claim.EventPayload["by"] != userAna {
		t.Errorf("claim note metadata %+v", claim)
	}
}

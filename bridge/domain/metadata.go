package domain

import (
	"strconv"

	"github.com/smsbridge/smsbridge/store"
)

// Structured posts: the posts smsbridge makes carry Slack message metadata,
// so other Slack apps and Workflow Builder can react to them without
// reading the text. The bridge decides what each post says; the poster
// sends it as metadata={event_type, event_payload}. Payload values are
// strings and numbers only (numbers as E.164 strings, ids as numbers or
// strings), which is what Slack takes.

// Metadata is what one post tells other apps.
type Metadata struct {
	EventType string
	Payload   map[string]any
}

// The event types smsbridge posts.
const (
	EventSMSReceived          = "sms_received"          // an inbound text, posted in its thread
	EventSMSSent              = "sms_sent"              // a text a teammate sent with /sms or the compose modal, posted as it enters the outbox
	EventConversationStarted  = "conversation_started"  // a thread header (a new thread)
	EventConversationClaimed  = "conversation_claimed"  // claimed, or assigned to someone
	EventConversationReleased = "conversation_released" // unassigned, open again
	EventConversationResolved = "conversation_resolved"
	EventConversationReopened = "conversation_reopened"
)

func conversationPayload(c *store.Conversation) map[string]any {
	return map[string]any{
		"conversation_id": strconv.FormatUint(c.ID, 10),
		"our_number":      c.OurNumber,
		"remote_numbers":  c.RemoteKey,
		"kind":            OrDefault(c.Kind, store.KindSMS),
	}
}

// MessageMetadata is the metadata of the post of message m.
func MessageMetadata(event string, c *store.Conversation, m *store.Message) *Metadata {
	p := conversationPayload(c)
	p["message_id"] = strconv.FormatUint(m.ID, 10)
	p["from"] = m.FromNumber
	p["to"] = m.ToNumbers
	if m.TelnyxID != nil {
		p["telnyx_message_id"] = *m.TelnyxID
	}
	if m.AuthorID != "" {
		p["sent_by"] = m.AuthorID
	}
	return &Metadata{EventType: event, Payload: p}
}

// HeaderMetadata is the metadata of a conversation's thread header.
func HeaderMetadata(h Header) *Metadata {
	return &Metadata{EventType: EventConversationStarted, Payload: map[string]any{
		"conversation_id": strconv.FormatUint(h.ConversationID, 10),
		"our_number":      string(h.OurNumber),
		"remote_numbers":  RemoteKey(h.Remotes),
		"kind":            OrDefault(h.Kind, store.KindSMS),
	}}
}

// ChangeMetadata is the metadata of the note a state change posts: which
// change, by whom, and who has the conversation now.
func ChangeMetadata(before, after *store.Conversation, by string) *Metadata {
	event := EventConversationReopened
	switch {
	case after.State == store.StateClaimed:
		event = EventConversationClaimed
	case after.State == store.StateResolved:
		event = EventConversationResolved
	case before.State == store.StateClaimed:
		event = EventConversationReleased
	}
	p := conversationPayload(after)
	p["state"], p["by"] = after.State, by
	if after.AssigneeID != "" {
		p["assignee"] = after.AssigneeID
	}
	return &Metadata{EventType: event, Payload: p}
}

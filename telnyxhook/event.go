package telnyxhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/telnyx"
)

// Event types smsbridge acts on. Other types are stored and acknowledged.
const (
	EventMessageReceived  = "message.received"
	EventMessageSent      = "message.sent"
	EventMessageFinalized = "message.finalized"
	// EventLinkClicked is not an event_type on the wire: link clicks arrive
	// with data.record_type "link_clicked" and no event id. ParseWebhook
	// gives them this type.
	EventLinkClicked = "link_clicked"
)

// Event is a Telnyx webhook body.
type Event struct {
	// ID is data.id, unique per event; link clicks have none (see DedupKey).
	ID         string
	Type       string
	OccurredAt time.Time
	// Message is the payload of message.* events: the same message record
	// the API returns, so webhooks and API answers share one type.
	Message *telnyx.Message
	// Click is the payload of a link click.
	Click *LinkClick
	// Attempt is meta.attempt (1 for the first delivery).
	Attempt int
}

// DedupKey is the key that makes a redelivery of this event a no-op. Link
// clicks carry no event id, so theirs is built from what identifies a click.
func (e *Event) DedupKey() string {
	if e.ID != "" {
		return e.ID
	}
	if e.Click != nil {
		return "link_clicked:" + e.Click.MessageID + ":" + e.Click.To + ":" + e.Click.URL + ":" + e.Click.TimeClicked
	}
	return ""
}

// LinkClick is the body of a link click webhook.
type LinkClick struct {
	URL         string `json:"url"`
	To          string `json:"to"`
	MessageID   string `json:"message_id"`
	TimeClicked string `json:"time_clicked"`
}

// ErrMalformed is returned for a body that is not a Telnyx webhook.
var ErrMalformed = errors.New("malformed webhook")

type wireEvent struct {
	Data struct {
		EventType  string          `json:"event_type"`
		ID         string          `json:"id"`
		OccurredAt *time.Time      `json:"occurred_at"`
		RecordType string          `json:"record_type"`
		Payload    json.RawMessage `json:"payload"`
		// link_clicked fields sit directly in data.
		URL         string `json:"url"`
		To          string `json:"to"`
		MessageID   string `json:"message_id"`
		TimeClicked string `json:"time_clicked"`
	} `json:"data"`
	Meta struct {
		Attempt int `json:"attempt"`
	} `json:"meta"`
}

// actedOn reports whether smsbridge handles events of this type.
func actedOn(typ string) bool {
	return typ == EventMessageReceived || typ == EventMessageSent || typ == EventMessageFinalized
}

// ParseWebhook decodes a webhook body. Unknown event types parse (with a nil
// Message) so they can be stored and acknowledged; a body that is not JSON,
// lacks what identifies the event, is a message event smsbridge acts on
// without its payload, or names a party Telnyx could not send from or to
// (see validateMessage), is ErrMalformed.
func ParseWebhook(body []byte) (*Event, error) {
	var w wireEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	d := w.Data
	ev := &Event{ID: d.ID, Type: d.EventType, Attempt: w.Meta.Attempt}
	if d.OccurredAt != nil {
		ev.OccurredAt = *d.OccurredAt
	}
	if d.RecordType == "link_clicked" {
		ev.Type = EventLinkClicked
		ev.Click = &LinkClick{URL: d.URL, To: d.To, MessageID: d.MessageID, TimeClicked: d.TimeClicked}
		if d.MessageID == "" {
			return nil, fmt.Errorf("%w: link_clicked without message_id", ErrMalformed)
		}
		return ev, nil
	}
	if d.ID == "" || d.EventType == "" {
		return nil, fmt.Errorf("%w: data.id and data.event_type are required", ErrMalformed)
	}
	hasPayload := len(d.Payload) > 0 && string(d.Payload) != "null"
	if actedOn(d.EventType) && !hasPayload {
		// A text or delivery report we would store as nothing to do:
		// Telnyx would never redeliver it.
		return nil, fmt.Errorf("%w: %s needs its payload", ErrMalformed, d.EventType)
	}
	if strings.HasPrefix(d.EventType, "message.") && hasPayload {
		var p telnyx.Message
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
		}
		if err := validateMessage(d.EventType, &p); err != nil {
			return nil, err
		}
		ev.Message = &p
	}
	return ev, nil
}

package telnyx

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// WhatsAppRequest is a WhatsApp message (POST /messages/whatsapp). Message
// is the spec's WhatsappMessageContent, passed through as JSON, e.g.
// {"type":"text","text":{"body":"hi"}} or a template.
type WhatsAppRequest struct {
	From               string
	To                 string
	MessagingProfileID string
	WebhookURL         string
	Message            json.RawMessage
}

// WhatsAppMessage is the answer to a WhatsApp send (the spec's
// WhatsappResponse.data).
type WhatsAppMessage struct {
	ID                 string          `json:"id"`
	RecordType         string          `json:"record_type,omitempty"`
	Direction          string          `json:"direction,omitempty"`
	Type               string          `json:"type,omitempty"`
	Encoding           string          `json:"encoding,omitempty"`
	From               MessageParty    `json:"from"`
	To                 []MessageParty  `json:"to"`
	Body               json.RawMessage `json:"body,omitempty"`
	MessagingProfileID string          `json:"messaging_profile_id,omitempty"`
	OrganizationID     string          `json:"organization_id,omitempty"`
	ReceivedAt         APITime         `json:"received_at"`
	WaitSeconds        *float64        `json:"wait_seconds,omitempty"`
}

// SendWhatsApp sends a WhatsApp message. From, To and Message are required.
func (c *Client) SendWhatsApp(ctx context.Context, r WhatsAppRequest) (*WhatsAppMessage, error) {
	const ep = "POST /messages/whatsapp"
	if r.From == "" || r.To == "" || len(r.Message) == 0 {
		return nil, invalidf("%s: from, to and message are required", ep)
	}
	if !json.Valid(r.Message) || !strings.HasPrefix(strings.TrimSpace(string(r.Message)), "{") {
		return nil, invalidf("%s: message must be a JSON object", ep)
	}
	b := map[string]any{"from": r.From, "to": r.To, "type": "WHATSAPP", "whatsapp_message": r.Message}
	if r.MessagingProfileID != "" {
		b["messaging_profile_id"] = r.MessagingProfileID
	}
	if r.WebhookURL != "" {
		b["webhook_url"] = r.WebhookURL
	}
	var env envelope[WhatsAppMessage]
	if err := c.do(ctx, call{method: http.MethodPost, path: "/messages/whatsapp", body: b}, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

package telnyx

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Encoding asks Telnyx for a text encoding (the request's `encoding`).
type Encoding string

const (
	EncodingAuto Encoding = "auto" // the default: smart encoding
	EncodingGSM7 Encoding = "gsm7" // 400 if the text cannot be GSM-7
	EncodingUCS2 Encoding = "ucs2"
)

// Message types.
const (
	TypeSMS = "SMS"
	TypeMMS = "MMS"
)

// SendRequest is an SMS or MMS to one recipient. Which fields an endpoint
// takes differs (see each Send* method); a field the endpoint does not take
// makes the call fail with ErrInvalidRequest before anything is sent.
type SendRequest struct {
	// From is a +E.164 number, a short code or an alphanumeric sender ID.
	From string
	// To is the recipient: +E.164 number or short code.
	To string
	// Text is the body; required for SMS.
	Text string
	// MediaURLs makes the message an MMS (total media < 1 MB).
	MediaURLs []string
	// Subject of an MMS.
	Subject string
	// Type is TypeSMS or TypeMMS; empty lets Telnyx decide.
	Type string
	// MessagingProfileID selects the number pool (no From) or the profile of
	// an alphanumeric sender.
	MessagingProfileID string
	// SendAt schedules the message (5 minutes to 5 days ahead).
	SendAt time.Time
	// WebhookURL and WebhookFailoverURL receive this message's events.
	WebhookURL         string
	WebhookFailoverURL string
	// UseProfileWebhooks, when set, says whether the profile's webhooks are
	// also used (Telnyx's default is true).
	UseProfileWebhooks *bool
	// Encoding forces an encoding; empty leaves Telnyx's default (auto).
	Encoding Encoding
	// AutoDetect asks Telnyx to flag unusually long messages.
	AutoDetect bool
}

// GroupMMSRequest is a group MMS: one message to up to 8 recipients who all
// see each other.
type GroupMMSRequest struct {
	From               string
	To                 []string
	Text               string
	MediaURLs          []string
	Subject            string
	WebhookURL         string
	WebhookFailoverURL string
	UseProfileWebhooks *bool
}

// MessageParty is the sender or a recipient of a message.
type MessageParty struct {
	PhoneNumber string `json:"phone_number"`
	Carrier     string `json:"carrier,omitempty"`
	LineType    string `json:"line_type,omitempty"`
	// Status is a recipient's delivery status: scheduled, queued, sending,
	// sent, delivered, delivery_failed, sending_failed,
	// delivery_unconfirmed, expired, cancelled (or received for a sender).
	Status string `json:"status,omitempty"`
}

// MessageMedia is one media item of an MMS.
type MessageMedia struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	// SHA256 is the hex SHA-256 of the media (the wire's sha256 or
	// hash_sha256, whichever is set).
	SHA256     string `json:"sha256,omitempty"`
	HashSHA256 string `json:"hash_sha256,omitempty"`
}

// Money is an amount in a currency; the amount stays a decimal string.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// CostBreakdown splits a message's cost.
type CostBreakdown struct {
	CarrierFee *Money `json:"carrier_fee,omitempty"`
	Rate       *Money `json:"rate,omitempty"`
}

// Message is a message as the API returns it from sends, GetMessage and
// CancelScheduledMessage (the spec's OutboundMessagePayload and
// InboundMessagePayload).
type Message struct {
	ID                    string         `json:"id"`
	RecordType            string         `json:"record_type,omitempty"`
	Direction             string         `json:"direction,omitempty"` // outbound or inbound
	Type                  string         `json:"type,omitempty"`      // SMS or MMS
	From                  MessageParty   `json:"from"`
	To                    []MessageParty `json:"to"`
	Cc                    []MessageParty `json:"cc,omitempty"`
	Text                  string         `json:"text,omitempty"`
	Subject               string         `json:"subject,omitempty"`
	Media                 []MessageMedia `json:"media,omitempty"`
	Parts                 int            `json:"parts,omitempty"`
	NumChars              int            `json:"num_chars,omitempty"`
	Encoding              string         `json:"encoding,omitempty"`
	SmartEncodingApplied  bool           `json:"smart_encoding_applied,omitempty"`
	Cost                  *Money         `json:"cost,omitempty"`
	CostBreakdown         *CostBreakdown `json:"cost_breakdown,omitempty"`
	Errors                []ErrorEntry   `json:"errors,omitempty"`
	MessagingProfileID    string         `json:"messaging_profile_id,omitempty"`
	OrganizationID        string         `json:"organization_id,omitempty"`
	Tags                  []string       `json:"tags,omitempty"`
	WebhookURL            string         `json:"webhook_url,omitempty"`
	WebhookFailoverURL    string         `json:"webhook_failover_url,omitempty"`
	TCRCampaignID         string         `json:"tcr_campaign_id,omitempty"`
	TCRCampaignRegistered string         `json:"tcr_campaign_registered,omitempty"`
	TCRCampaignBillable   bool           `json:"tcr_campaign_billable,omitempty"`
	WaitSeconds           *float64       `json:"wait_seconds,omitempty"`
	ReceivedAt            APITime        `json:"received_at"`
	SendAt                APITime        `json:"send_at"`
	SentAt                APITime        `json:"sent_at"`
	CompletedAt           APITime        `json:"completed_at"`
	ValidUntil            APITime        `json:"valid_until"`
}

// APITime is a time from the API. It accepts RFC 3339 and the
// "2025-04-28 12:00:38.631252+00:00" form some answers use; null and ""
// decode to the zero time.
type APITime struct{ time.Time }

var apiTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *APITime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	var firstErr error
	for _, l := range apiTimeLayouts {
		v, err := time.Parse(l, s)
		if err == nil {
			t.Time = v
			return nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t APITime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// Hash returns the media's SHA-256, from whichever field carried it.
func (m MessageMedia) Hash() string {
	if m.SHA256 != "" {
		return m.SHA256
	}
	return m.HashSHA256
}

// body builds the wire body of r for an endpoint that takes the fields in
// allowed; a set field outside allowed is an error.
func (r SendRequest) body(endpoint string, allowed ...string) (map[string]any, error) {
	m := map[string]any{}
	set := func(k string, v any, present bool) {
		if present {
			m[k] = v
		}
	}
	set("from", r.From, r.From != "")
	set("to", r.To, r.To != "")
	set("text", r.Text, r.Text != "")
	set("media_urls", r.MediaURLs, len(r.MediaURLs) > 0)
	set("subject", r.Subject, r.Subject != "")
	set("type", r.Type, r.Type != "")
	set("messaging_profile_id", r.MessagingProfileID, r.MessagingProfileID != "")
	set("send_at", r.SendAt.UTC().Format(time.RFC3339), !r.SendAt.IsZero())
	set("webhook_url", r.WebhookURL, r.WebhookURL != "")
	set("webhook_failover_url", r.WebhookFailoverURL, r.WebhookFailoverURL != "")
	if r.UseProfileWebhooks != nil {
		m["use_profile_webhooks"] = *r.UseProfileWebhooks
	}
	set("encoding", string(r.Encoding), r.Encoding != "")
	set("auto_detect", true, r.AutoDetect)
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	for k := range m {
		if !ok[k] {
			return nil, invalidf("%s does not take %s", endpoint, k)
		}
	}
	if r.To == "" {
		return nil, invalidf("%s: to is required", endpoint)
	}
	if r.Text == "" && len(r.MediaURLs) == 0 {
		return nil, invalidf("%s: text or media_urls is required", endpoint)
	}
	if r.Type != "" && r.Type != TypeSMS && r.Type != TypeMMS {
		return nil, invalidf("%s: type must be SMS or MMS, not %q", endpoint, r.Type)
	}
	switch r.Encoding {
	case "", EncodingAuto, EncodingGSM7, EncodingUCS2:
	default:
		return nil, invalidf("%s: unknown encoding %q", endpoint, r.Encoding)
	}
	return m, nil
}

var (
	fieldsCommon = []string{"to", "text", "media_urls", "subject", "type", "webhook_url", "webhook_failover_url", "use_profile_webhooks", "auto_detect"}
)

func fields(extra ...string) []string { return append(append([]string{}, fieldsCommon...), extra...) }

func (c *Client) sendTo(ctx context.Context, path string, body any) (*Message, error) {
	var env envelope[Message]
	if err := c.do(ctx, call{method: http.MethodPost, path: path, body: body}, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// SendMessage sends through POST /messages with any sender: From (a number,
// short code or alphanumeric sender ID) or MessagingProfileID alone (number
// pool). SendAt schedules it.
func (c *Client) SendMessage(ctx context.Context, r SendRequest) (*Message, error) {
	b, err := r.body("POST /messages", fields("from", "messaging_profile_id", "send_at", "encoding")...)
	if err != nil {
		return nil, err
	}
	if r.From == "" && r.MessagingProfileID == "" {
		return nil, invalidf("POST /messages: from or messaging_profile_id is required")
	}
	return c.sendTo(ctx, "/messages", b)
}

// SendLongCode sends from a long-code number (POST /messages/long_code);
// From and To are required; no profile, no scheduling.
func (c *Client) SendLongCode(ctx context.Context, r SendRequest) (*Message, error) {
	b, err := r.body("POST /messages/long_code", fields("from", "encoding")...)
	if err != nil {
		return nil, err
	}
	if r.From == "" {
		return nil, invalidf("POST /messages/long_code: from is required")
	}
	return c.sendTo(ctx, "/messages/long_code", b)
}

// SendShortCode sends from a short code (POST /messages/short_code); From
// and To are required.
func (c *Client) SendShortCode(ctx context.Context, r SendRequest) (*Message, error) {
	b, err := r.body("POST /messages/short_code", fields("from", "encoding")...)
	if err != nil {
		return nil, err
	}
	if r.From == "" {
		return nil, invalidf("POST /messages/short_code: from is required")
	}
	return c.sendTo(ctx, "/messages/short_code", b)
}

// SendNumberPool sends from the number pool of MessagingProfileID (POST
// /messages/number_pool); From must be empty.
func (c *Client) SendNumberPool(ctx context.Context, r SendRequest) (*Message, error) {
	b, err := r.body("POST /messages/number_pool", fields("messaging_profile_id", "encoding")...)
	if err != nil {
		return nil, err
	}
	if r.MessagingProfileID == "" {
		return nil, invalidf("POST /messages/number_pool: messaging_profile_id is required")
	}
	return c.sendTo(ctx, "/messages/number_pool", b)
}

// SendAlphanumeric sends an SMS from an alphanumeric sender ID (POST
// /messages/alphanumeric_sender_id). From, To, Text and MessagingProfileID
// (a UUID) are required; no media, no subject, no scheduling.
func (c *Client) SendAlphanumeric(ctx context.Context, r SendRequest) (*Message, error) {
	const ep = "POST /messages/alphanumeric_sender_id"
	b, err := r.body(ep, "from", "to", "text", "messaging_profile_id", "webhook_url", "webhook_failover_url", "use_profile_webhooks")
	if err != nil {
		return nil, err
	}
	if r.From == "" || r.Text == "" || r.MessagingProfileID == "" {
		return nil, invalidf("%s: from, to, text and messaging_profile_id are required", ep)
	}
	return c.sendTo(ctx, "/messages/alphanumeric_sender_id", b)
}

// ScheduleMessage schedules a message (POST /messages/schedule). SendAt is
// required and must be 5 minutes to 5 days ahead (checked against the
// client's clock before sending); the answer's status is "scheduled".
// Cancel it with CancelScheduledMessage.
func (c *Client) ScheduleMessage(ctx context.Context, r SendRequest) (*Message, error) {
	const ep = "POST /messages/schedule"
	b, err := r.body(ep, fields("from", "messaging_profile_id", "send_at")...)
	if err != nil {
		return nil, err
	}
	if r.From == "" && r.MessagingProfileID == "" {
		return nil, invalidf("%s: from or messaging_profile_id is required", ep)
	}
	if r.SendAt.IsZero() {
		return nil, invalidf("%s: send_at is required", ep)
	}
	ahead := r.SendAt.Sub(c.now())
	if ahead < 5*time.Minute || ahead > 5*24*time.Hour {
		return nil, invalidf("%s: send_at must be 5 minutes to 5 days ahead (is %s)", ep, ahead.Round(time.Second))
	}
	return c.sendTo(ctx, "/messages/schedule", b)
}

// SendGroupMMS sends one MMS to several recipients (POST
// /messages/group_mms): From and 1–8 recipients are required.
func (c *Client) SendGroupMMS(ctx context.Context, r GroupMMSRequest) (*Message, error) {
	const ep = "POST /messages/group_mms"
	if r.From == "" || len(r.To) == 0 {
		return nil, invalidf("%s: from and to are required", ep)
	}
	if len(r.To) > 8 {
		return nil, invalidf("%s: at most 8 recipients, got %d", ep, len(r.To))
	}
	if r.Text == "" && len(r.MediaURLs) == 0 {
		return nil, invalidf("%s: text or media_urls is required", ep)
	}
	b := map[string]any{"from": r.From, "to": r.To}
	if r.Text != "" {
		b["text"] = r.Text
	}
	if len(r.MediaURLs) > 0 {
		b["media_urls"] = r.MediaURLs
	}
	if r.Subject != "" {
		b["subject"] = r.Subject
	}
	if r.WebhookURL != "" {
		b["webhook_url"] = r.WebhookURL
	}
	if r.WebhookFailoverURL != "" {
		b["webhook_failover_url"] = r.WebhookFailoverURL
	}
	if r.UseProfileWebhooks != nil {
		b["use_profile_webhooks"] = *r.UseProfileWebhooks
	}
	return c.sendTo(ctx, "/messages/group_mms", b)
}

// retentionHint explains a 404 from GET /messages/{id}.
const retentionHint = "Telnyx keeps messages for 10 days only: an older message can no longer be retrieved (an MDR report still has it)"

// GetMessage fetches a message by id (GET /messages/{id}). A 404 means the
// id is wrong or the message is older than Telnyx's 10-day retention; the
// error says so and IsNotFound holds.
func (c *Client) GetMessage(ctx context.Context, id string) (*Message, error) {
	if id == "" {
		return nil, invalidf("GET /messages/{id}: id is required")
	}
	var env envelope[Message]
	err := c.do(ctx, call{method: http.MethodGet, path: "/messages/" + url.PathEscape(id), notFoundHint: retentionHint}, &env)
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// CancelScheduledMessage cancels a scheduled message (DELETE
// /messages/{id}) and returns it, now with status "cancelled". Only
// messages still scheduled more than a minute ahead can be cancelled. The
// answer is the message itself, not wrapped in "data" (per the spec). It is
// retried like a GET: cancelling is idempotent.
func (c *Client) CancelScheduledMessage(ctx context.Context, id string) (*Message, error) {
	if id == "" {
		return nil, invalidf("DELETE /messages/{id}: id is required")
	}
	var m Message
	if err := c.do(ctx, call{method: http.MethodDelete, path: "/messages/" + url.PathEscape(id)}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

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

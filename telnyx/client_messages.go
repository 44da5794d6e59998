package telnyx

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

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

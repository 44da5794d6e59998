package telnyx

import (
	"encoding/json"
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

// Delivery states of a recipient (to[].status), final in message.finalized.
const (
	StatusQueued              = "queued"
	StatusSending             = "sending"
	StatusSent                = "sent"
	StatusDelivered           = "delivered"
	StatusDeliveryFailed      = "delivery_failed"
	StatusSendingFailed       = "sending_failed"
	StatusDeliveryUnconfirmed = "delivery_unconfirmed"
	StatusExpired             = "expired"
)

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

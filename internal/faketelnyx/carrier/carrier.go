// Package carrier is what Telnyx and the phone networks do around the
// Messaging API, as the fake Telnyx (internal/faketelnyx, WithCarrier)
// plays it: a STOP from a phone blocks it at the carrier for the whole
// messaging profile until START, as Telnyx does (sends to it are refused
// with 40300); a send accepted moves on to sent and then delivered, or
// delivery_failed (40008) for a number set to fail; and every webhook is
// signed with Ed25519 as Telnyx signs it (telnyxhook.Sign). The fake keeps
// the messages and opt-out list; this package keeps the carrier's own
// state and rules.
//
// It imports nothing of smsbridge but telnyxhook and what it imports
// (internal/layout checks it). A Carrier's state is guarded by its
// owner's lock; Post takes none.
package carrier

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

// OptOutWords and OptInWords are the keywords Telnyx acts on at the
// carrier.
var (
	OptOutWords = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
	OptInWords  = []string{"START", "UNSTOP", "YES"}
)

// Carrier is one simulated carrier: its signing key, its pace, who is
// blocked and where delivery fails.
type Carrier struct {
	// Delay is the carrier's pace: a send is reported sent after it, and
	// final after it again.
	Delay   time.Duration
	key     ed25519.PrivateKey
	hc      *http.Client
	failTo  map[string]bool
	blocked map[string]bool // profile + "|" + phone
}

// New is a carrier signing with key and reporting after delay.
func New(key ed25519.PrivateKey, delay time.Duration) *Carrier {
	return &Carrier{Delay: delay, key: key, hc: &http.Client{Timeout: 10 * time.Second},
		failTo: map[string]bool{}, blocked: map[string]bool{}}
}

// FailDeliveryTo makes delivery to number fail, or succeed again.
func (c *Carrier) FailDeliveryTo(number string, fail bool) {
	if fail {
		c.failTo[number] = true
	} else {
		delete(c.failTo, number)
	}
}

// FailsDeliveryTo reports whether delivery to number is set to fail.
func (c *Carrier) FailsDeliveryTo(number string) bool { return c.failTo[number] }

// Blocked reports whether phone has opted out (STOP) of profile.
func (c *Carrier) Blocked(profile, phone string) bool { return c.blocked[profile+"|"+phone] }

// Keyword acts on a text from phone to a number of profile: a STOP word
// blocks the phone, a START word unblocks it. It returns the word when it
// was one, and which.
func (c *Carrier) Keyword(profile, phone, text string) (word string, optOut, optIn bool) {
	word = strings.ToUpper(strings.TrimSpace(text))
	switch {
	case slices.Contains(OptOutWords, word):
		c.blocked[profile+"|"+phone] = true
		return word, true, false
	case slices.Contains(OptInWords, word):
		delete(c.blocked, profile+"|"+phone)
		return word, false, true
	}
	return "", false, false
}

// Advance moves the message record m on, in place: every recipient to
// sent, or (final) to delivered, or delivery_failed with error 40008
// where delivery is set to fail. It returns the webhook's event type.
func (c *Carrier) Advance(m map[string]any, final bool, now time.Time) (eventType string) {
	stamp := now.UTC().Format(time.RFC3339Nano)
	failed := false
	for _, to := range m["to"].([]any) {
		t := to.(map[string]any)
		switch {
		case !final:
			t["status"] = "sent"
		case c.failTo[t["phone_number"].(string)]:
			t["status"], failed = "delivery_failed", true
		default:
			t["status"] = "delivered"
		}
	}
	if !final {
		m["sent_at"] = stamp
		return "message.sent"
	}
	m["completed_at"] = stamp
	if failed {
		m["errors"] = []any{map[string]any{"code": "40008", "title": "Undeliverable",
			"detail": "The message was not accepted by the destination carrier."}}
	}
	return "message.finalized"
}

// Received is the payload of the message.received webhook for a text
// (SMS, or MMS with media or cc) from a phone to our number of profile.
func Received(id, from, to string, cc []string, text string, media []any, profile, orgID string, now time.Time) map[string]any {
	typ := "SMS"
	if len(media) > 0 || len(cc) > 0 {
		typ = "MMS"
	}
	ccs := []any{}
	for _, c := range cc {
		ccs = append(ccs, map[string]any{"phone_number": c, "status": "webhook_delivered"})
	}
	return map[string]any{
		"id": id, "record_type": "message", "direction": "inbound", "type": typ, "text": text,
		"from":  map[string]any{"phone_number": from, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"},
		"to":    []any{map[string]any{"phone_number": to, "status": "webhook_delivered", "carrier": "TELNYX LLC", "line_type": "VoIP"}},
		"cc":    ccs,
		"media": append([]any{}, media...), "messaging_profile_id": profile, "organization_id": orgID,
		"received_at": now.UTC().Format(time.RFC3339Nano), "encoding": "GSM-7", "parts": 1, "tags": []any{}, "errors": []any{},
	}
}

// Post signs one webhook (event id, the envelope Telnyx sends) and posts
// it to url, as Telnyx does; it returns the service's HTTP status.
func (c *Carrier) Post(ctx context.Context, url, eventID, eventType string, payload map[string]any) (int, error) {
	if url == "" {
		return 0, fmt.Errorf("faketelnyx: no webhook URL set")
	}
	body, err := json.Marshal(map[string]any{
		"data": map[string]any{"event_type": eventType, "id": eventID, "record_type": "event",
			"occurred_at": time.Now().UTC().Format(time.RFC3339Nano), "payload": payload},
		"meta": map[string]any{"attempt": 1, "delivered_to": url},
	})
	if err != nil {
		return 0, err
	}
	sig, ts := telnyxhook.Sign(c.key, time.Now(), body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

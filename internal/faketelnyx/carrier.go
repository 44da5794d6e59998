package faketelnyx

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

// The carrier: with WithCarrier the fake also does what Telnyx and the
// phone networks do around the API, so a program (the sandbox) can run
// the service against it: texts from phones arrive as signed
// message.received webhooks (Receive), every send accepted is followed by
// signed message.sent and message.finalized webhooks after a delay
// (delivered, or delivery_failed for a number set with FailDeliveryTo),
// and a STOP from a phone blocks it at the carrier for the whole messaging
// profile, as Telnyx does: sends to it are refused with 40300 until START.

// carrier is the fake's carrier state; nil without WithCarrier.
type carrier struct {
	key     ed25519.PrivateKey
	delay   time.Duration
	hc      *http.Client
	webhook string
	failTo  map[string]bool
	blocked map[string]bool // profile + "|" + phone
	sent    []string        // ids of accepted sends, in order
	wg      sync.WaitGroup
}

// WithCarrier makes the fake a carrier: webhooks are signed with key and
// delivery reports follow each accepted send after delay (then again
// after delay for the final state).
func WithCarrier(key ed25519.PrivateKey, delay time.Duration) Option {
	return func(s *Server) {
		s.carrier = &carrier{key: key, delay: delay, hc: &http.Client{Timeout: 10 * time.Second},
			failTo: map[string]bool{}, blocked: map[string]bool{}}
	}
}

// SetWebhookURL is where the carrier sends its webhooks (the service's
// /webhooks/telnyx).
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.carrier.webhook = u
}

// FailDeliveryTo makes delivery to number fail (delivery_failed, 40008)
// until it is set back to false.
func (s *Server) FailDeliveryTo(number string, fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	if fail {
		s.carrier.failTo[number] = true
	} else {
		delete(s.carrier.failTo, number)
	}
}

// FailsDeliveryTo reports whether delivery to number is set to fail.
func (s *Server) FailsDeliveryTo(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carrier.failTo[number]
}

// CarrierBlocked reports whether phone has opted out (STOP) of profile at
// the carrier.
func (s *Server) CarrierBlocked(profile, phone string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carrier.blocked[profile+"|"+phone]
}

// Sent returns copies of the messages accepted for sending, in order,
// each with its latest delivery state in to[].status.
func (s *Server) Sent() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.carrier.sent))
	for _, id := range s.carrier.sent {
		out = append(out, cloneJSON(s.state.messages[id]))
	}
	return out
}

// WaitCarrier waits for the delivery reports in flight (before closing).
func (s *Server) WaitCarrier() { s.carrier.wg.Wait() }

// Inbound is a text or MMS a phone sends to one of our numbers.
type Inbound struct {
	From, To string
	CC       []string // the other members of a group MMS
	Text     string
	Media    []InboundMedia
	// Links are media URLs sent as they are, for tests of what the service
	// fetches (Telnyx's own links are on its media host).
	Links []string
}

// InboundMedia is a file in an MMS; the carrier serves it at a temporary
// URL, as Telnyx does.
type InboundMedia struct {
	ContentType string
	Body        []byte
}

// optOutWords and optInWords are the keywords Telnyx acts on at the carrier.
var (
	optOutWords = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
	optInWords  = []string{"START", "UNSTOP", "YES"}
)

// Receive delivers a text from a phone to our number: a signed
// message.received webhook to the service, as Telnyx sends it. It returns
// the service's HTTP status. A STOP (START) blocks (unblocks) the phone
// for the number's messaging profile first, as Telnyx does.
func (s *Server) Receive(ctx context.Context, in Inbound) (int, error) {
	id := UUID()
	var media []any
	for i, m := range in.Media {
		u := s.AddMedia(fmt.Sprintf("%s-%d", id, i), m.ContentType, m.Body)
		media = append(media, map[string]any{"url": u, "content_type": m.ContentType, "size": len(m.Body), "hash_sha256": nil})
	}
	for _, u := range in.Links {
		media = append(media, map[string]any{"url": u, "content_type": "image/jpeg", "size": 1000, "hash_sha256": nil})
	}
	typ := "SMS"
	if len(media) > 0 || len(in.CC) > 0 {
		typ = "MMS"
	}
	profile := s.profileOf(in.To)
	s.carrierKeyword(profile, in.From, in.Text)
	cc := []any{}
	for _, c := range in.CC {
		cc = append(cc, map[string]any{"phone_number": c, "status": "webhook_delivered"})
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	payload := map[string]any{
		"id": id, "record_type": "message", "direction": "inbound", "type": typ, "text": in.Text,
		"from":  map[string]any{"phone_number": in.From, "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"},
		"to":    []any{map[string]any{"phone_number": in.To, "status": "webhook_delivered", "carrier": "TELNYX LLC", "line_type": "VoIP"}},
		"cc":    cc,
		"media": append([]any{}, media...), "messaging_profile_id": profile, "organization_id": DefaultOrgID,
		"received_at": now, "encoding": "GSM-7", "parts": 1, "tags": []any{}, "errors": []any{},
	}
	return s.postWebhook(ctx, "message.received", payload)
}

// carrierKeyword blocks or unblocks phone at the carrier for a STOP or START.
func (s *Server) carrierKeyword(profile, phone, text string) {
	word := strings.ToUpper(strings.TrimSpace(text))
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case slices.Contains(optOutWords, word):
		s.carrier.blocked[profile+"|"+phone] = true
		s.state.optouts = append(s.state.optouts, map[string]any{"from": s.firstNumberLocked(profile), "to": phone,
			"keyword": word, "messaging_profile_id": profile, "created_at": time.Now().UTC().Format(time.RFC3339Nano)})
	case slices.Contains(optInWords, word):
		delete(s.carrier.blocked, profile+"|"+phone)
		s.state.optouts = filter(s.state.optouts, func(o map[string]any) bool {
			return o["to"] != phone || o["messaging_profile_id"] != profile
		})
	}
}

func (s *Server) firstNumberLocked(profile string) string {
	for _, n := range s.state.numbers {
		if n["messaging_profile_id"] == profile {
			return n["phone_number"].(string)
		}
	}
	return ""
}

// profileOf is our number's messaging profile.
func (s *Server) profileOf(number string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.state.numbers {
		if n["phone_number"] == number {
			p, _ := n["messaging_profile_id"].(string)
			return p
		}
	}
	return DefaultProfileID
}

// carrierRefuses answers 40300 to a send to a phone blocked at the carrier.
func (s *Server) carrierRefuses(r Request) (Response, bool) {
	if s.carrier == nil || !sendRoutes[r.Route] {
		return Response{}, false
	}
	b := r.BodyMap()
	from, _ := b["from"].(string)
	profile := s.profileOf(from)
	var tos []any
	switch to := b["to"].(type) {
	case string:
		tos = []any{to}
	case []any:
		tos = to
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, to := range tos {
		if p, _ := to.(string); s.carrier.blocked[profile+"|"+p] {
			return Error(http.StatusUnprocessableEntity, "40300", "Blocked due to STOP message",
				"The recipient has opted out of messages from this number."), true
		}
	}
	return Response{}, false
}

// carrierAccepted follows an accepted send with its delivery reports.
// Called with s.mu held.
func (s *Server) carrierAcceptedLocked(m map[string]any) {
	c := s.carrier
	if c == nil {
		return
	}
	c.sent = append(c.sent, m["id"].(string))
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		time.Sleep(c.delay) // the carrier's own pace: this is the simulation, not a test waiting
		s.deliver(m["id"].(string), false)
		time.Sleep(c.delay)
		s.deliver(m["id"].(string), true)
	}()
}

// deliver moves a sent message on (sent, then its final state) and tells
// the service.
func (s *Server) deliver(id string, final bool) {
	s.mu.Lock()
	m := s.state.messages[id]
	now := time.Now().UTC().Format(time.RFC3339Nano)
	event := "message.sent"
	failed := false
	for _, to := range m["to"].([]any) {
		t := to.(map[string]any)
		switch {
		case !final:
			t["status"] = "sent"
		case s.carrier.failTo[t["phone_number"].(string)]:
			t["status"], failed = "delivery_failed", true
		default:
			t["status"] = "delivered"
		}
	}
	if final {
		event, m["completed_at"] = "message.finalized", now
		if failed {
			m["errors"] = []any{map[string]any{"code": "40008", "title": "Undeliverable",
				"detail": "The message was not accepted by the destination carrier."}}
		}
	} else {
		m["sent_at"] = now
	}
	payload := cloneJSON(m)
	s.notifyLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = s.postWebhook(ctx, event, payload)
}

// postWebhook signs and posts one webhook to the service, as Telnyx does.
func (s *Server) postWebhook(ctx context.Context, eventType string, payload map[string]any) (int, error) {
	s.mu.Lock()
	url := s.carrier.webhook
	s.mu.Unlock()
	if url == "" {
		return 0, fmt.Errorf("faketelnyx: no webhook URL set")
	}
	body, err := json.Marshal(map[string]any{
		"data": map[string]any{"event_type": eventType, "id": UUID(), "record_type": "event",
			"occurred_at": time.Now().UTC().Format(time.RFC3339Nano), "payload": payload},
		"meta": map[string]any{"attempt": 1, "delivered_to": url},
	})
	if err != nil {
		return 0, err
	}
	sig, ts := telnyxhook.Sign(s.carrier.key, time.Now(), body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	resp, err := s.carrier.hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// cloneJSON deep-copies a JSON object.
func cloneJSON(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = maps.Clone(m)
	}
	return out
}

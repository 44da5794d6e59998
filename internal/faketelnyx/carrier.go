package faketelnyx

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx/carrier"
)

// The carrier: with WithCarrier the fake also does what Telnyx and the
// phone networks do around the API, so a program (the sandbox) can run
// the service against it: texts from phones arrive as signed
// message.received webhooks (Receive), every send accepted is followed by
// signed message.sent and message.finalized webhooks after a delay
// (delivered, or delivery_failed for a number set with FailDeliveryTo),
// and a STOP from a phone blocks it at the carrier for the whole messaging
// profile, as Telnyx does: sends to it are refused with 40300 until START.
// The carrier's own rules and state are package carrier; here they meet
// the fake's messages, numbers and opt-out list.

// simulation is the fake's carrier; nil without WithCarrier.
type simulation struct {
	*carrier.Carrier
	webhook string
	sent    []string // ids of accepted sends, in order
	wg      sync.WaitGroup
}

// WithCarrier makes the fake a carrier: webhooks are signed with key and
// delivery reports follow each accepted send after delay (then again
// after delay for the final state).
func WithCarrier(key ed25519.PrivateKey, delay time.Duration) Option {
	return func(s *Server) { s.carrier = &simulation{Carrier: carrier.New(key, delay)} }
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
	s.carrier.FailDeliveryTo(number, fail)
}

// FailsDeliveryTo reports whether delivery to number is set to fail.
func (s *Server) FailsDeliveryTo(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carrier.FailsDeliveryTo(number)
}

// CarrierBlocked reports whether phone has opted out (STOP) of profile at
// the carrier.
func (s *Server) CarrierBlocked(profile, phone string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.carrier.Blocked(profile, phone)
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
	profile := s.profileOf(in.To)
	s.carrierKeyword(profile, in.From, in.Text)
	payload := carrier.Received(id, in.From, in.To, in.CC, in.Text, media, profile, DefaultOrgID, time.Now())
	return s.postWebhook(ctx, "message.received", payload)
}

// carrierKeyword blocks or unblocks phone at the carrier for a STOP or
// START, and keeps the opt-out list with it.
func (s *Server) carrierKeyword(profile, phone, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	word, optOut, optIn := s.carrier.Keyword(profile, phone, text)
	switch {
	case optOut:
		s.state.optouts = append(s.state.optouts, map[string]any{"from": s.firstNumberLocked(profile), "to": phone,
			"keyword": word, "messaging_profile_id": profile, "created_at": time.Now().UTC().Format(time.RFC3339Nano)})
	case optIn:
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
		if p, _ := to.(string); s.carrier.Blocked(profile, p) {
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
		time.Sleep(c.Delay) // the carrier's own pace: this is the simulation, not a test waiting
		s.deliver(m["id"].(string), false)
		time.Sleep(c.Delay)
		s.deliver(m["id"].(string), true)
	}()
}

// deliver moves a sent message on (sent, then its final state) and tells
// the service.
func (s *Server) deliver(id string, final bool) {
	s.mu.Lock()
	m := s.state.messages[id]
	event := s.carrier.Advance(m, final, time.Now())
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
	return s.carrier.Post(ctx, url, UUID(), eventType, payload)
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

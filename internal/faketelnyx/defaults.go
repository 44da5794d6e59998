package faketelnyx

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Default seed data: every list and lookup answers with these until a test
// replaces them (SetNumbers, SetMobileNumbers, SetOptOuts).
const (
	DefaultProfileID = "4000eba1-a0c0-4563-9925-b25e842a7cb6"
	DefaultOrgID     = "b448f9cc-a842-4784-98e9-03c1a5872950"
	// DefaultNumber is the first seeded long-code number; its id is
	// DefaultNumberID.
	DefaultNumber   = "+18445550001"
	DefaultNumberID = "1293384261075731499"
	// DefaultMobileNumberID is the seeded mobile number's id.
	DefaultMobileNumberID = "2126210528794641864"
)

// state is what the default answers remember: sent messages, numbers,
// opt-outs and bulk update orders.
type state struct {
	messages map[string]map[string]any
	numbers  []map[string]any
	mobiles  []map[string]any
	optouts  []map[string]any
	orders   map[string]map[string]any
}

func newState() *state {
	return &state{
		messages: map[string]map[string]any{},
		numbers: []map[string]any{
			Number(DefaultNumberID, DefaultNumber, DefaultProfileID),
			Number("1293384261075731500", "+18445550002", DefaultProfileID),
		},
		mobiles: []map[string]any{MobileNumber(DefaultMobileNumberID, "+13127367407", DefaultProfileID)},
		optouts: []map[string]any{OptOut(DefaultNumber, "+13125550123", "STOP", time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC))},
		orders:  map[string]map[string]any{},
	}
}

// Number builds a PhoneNumberWithMessagingSettings seed.
func Number(id, e164, profileID string) map[string]any {
	return map[string]any{
		"record_type":                 "messaging_settings",
		"id":                          id,
		"phone_number":                e164,
		"country_code":                "US",
		"type":                        "longcode",
		"messaging_profile_id":        profileID,
		"messaging_product":           "P2P",
		"traffic_type":                "P2P",
		"eligible_messaging_products": []any{"A2P", "P2P"},
		"organization_id":             DefaultOrgID,
		"tags":                        []any{},
		"features": map[string]any{
			"sms": map[string]any{"domestic_two_way": true, "international_inbound": true, "international_outbound": true},
			"mms": map[string]any{"domestic_two_way": true, "international_inbound": false, "international_outbound": false},
		},
		"health":     map[string]any{"message_count": 122, "inbound_outbound_ratio": 0.43, "success_ratio": 0.94, "spam_ratio": 0.06},
		"created_at": "2026-01-23T18:10:02.574Z",
		"updated_at": "2026-01-23T18:10:02.574Z",
	}
}

// MobileNumber builds a MobilePhoneNumberWithMessagingSettings seed.
func MobileNumber(id, e164, profileID string) map[string]any {
	return map[string]any{
		"record_type":          "messaging_settings",
		"id":                   id,
		"phone_number":         e164,
		"country_code":         "US",
		"type":                 "longcode",
		"messaging_profile_id": profileID,
		"messaging_product":    "P2P",
		"traffic_type":         "P2P",
		"features": map[string]any{
			"sms": map[string]any{"domestic_two_way": true, "international_inbound": true, "international_outbound": true},
		},
		"created_at": "2026-01-23T18:10:02.574Z",
		"updated_at": "2026-01-23T18:10:02.574Z",
	}
}

// OptOut builds an OptOutItem seed: to sent keyword to from.
func OptOut(from, to, keyword string, at time.Time) map[string]any {
	return map[string]any{
		"from":                 from,
		"to":                   to,
		"keyword":              keyword,
		"messaging_profile_id": DefaultProfileID,
		"created_at":           at.UTC().Format(time.RFC3339Nano),
	}
}

// SetNumbers replaces the phone numbers (see Number).
func (s *Server) SetNumbers(ns ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.numbers = ns
}

// SetMobileNumbers replaces the mobile numbers (see MobileNumber).
func (s *Server) SetMobileNumbers(ns ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.mobiles = ns
}

// SetOptOuts replaces the opt-outs (see OptOut).
func (s *Server) SetOptOuts(os ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.optouts = os
}

// Message returns a message the fake holds (sent through it), or nil.
func (s *Server) Message(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.messages[id]
}

// PutMessage stores a message for GET /messages/{id}; it must carry an "id".
func (s *Server) PutMessage(m map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.messages[m["id"].(string)] = m
}

// UUID returns a random version 4 UUID.
func UUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NotFound is the fake's 404 answer.
func NotFound(what string) Response {
	return Error(http.StatusNotFound, "10005", "Resource not found", what+" not found")
}

func (s *Server) defaultAnswer(r Request) Response {
	switch r.Route {
	case "POST /messages", "POST /messages/long_code", "POST /messages/short_code",
		"POST /messages/number_pool", "POST /messages/alphanumeric_sender_id",
		"POST /messages/group_mms", "POST /messages/schedule":
		m := s.newMessage(r)
		return JSON(map[string]any{"data": m})
	case "GET /messages/{id}":
		s.mu.Lock()
		m := s.state.messages[r.Params["id"]]
		s.mu.Unlock()
		if m == nil {
			return NotFound("message")
		}
		return JSON(map[string]any{"data": m})
	case "DELETE /messages/{id}":
		s.mu.Lock()
		defer s.mu.Unlock()
		m := s.state.messages[r.Params["id"]]
		if m == nil {
			return BareError(http.StatusNotFound, "10005", "Resource not found", "message not found")
		}
		if _, scheduled := m["send_at"]; !scheduled {
			return Error(http.StatusUnprocessableEntity, "40018", "Message cannot be cancelled", "only scheduled messages can be cancelled")
		}
		for _, to := range m["to"].([]any) {
			to.(map[string]any)["status"] = "cancelled"
		}
		return JSON(m) // unwrapped, per the spec
	case "POST /messages/whatsapp":
		b := r.BodyMap()
		return JSON(map[string]any{"data": map[string]any{
			"id":                   UUID(),
			"record_type":          "message",
			"direction":            "outbound",
			"type":                 "WHATSAPP",
			"encoding":             "UTF-8",
			"from":                 map[string]any{"phone_number": b["from"]},
			"to":                   []any{map[string]any{"phone_number": b["to"], "status": "queued"}},
			"body":                 b["whatsapp_message"],
			"messaging_profile_id": DefaultProfileID,
			"organization_id":      DefaultOrgID,
			"received_at":          time.Now().UTC().Format(time.RFC3339Nano),
		}})
	case "GET /messaging_optouts":
		s.mu.Lock()
		items := filter(s.state.optouts, func(o map[string]any) bool {
			return match(r.Query.Get("filter[from]"), o["from"]) &&
				match(r.Query.Get("filter[messaging_profile_id]"), o["messaging_profile_id"])
		})
		s.mu.Unlock()
		return page(r, items)
	case "GET /phone_numbers/messaging":
		s.mu.Lock()
		want := r.Query.Get("filter[phone_number]")
		items := filter(s.state.numbers, func(n map[string]any) bool {
			if want == "" {
				return match(r.Query.Get("filter[messaging_profile_id]"), n["messaging_profile_id"])
			}
			for _, w := range strings.Split(want, ",") {
				if w == n["phone_number"] {
					return true
				}
			}
			return false
		})
		s.mu.Unlock()
		return page(r, items)
	case "GET /mobile_phone_numbers/messaging":
		s.mu.Lock()
		items := append([]map[string]any(nil), s.state.mobiles...)
		s.mu.Unlock()
		return page(r, items)
	case "GET /phone_numbers/{id}/messaging", "PATCH /phone_numbers/{id}/messaging":
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, n := range s.state.numbers {
			if n["id"] == r.Params["id"] || n["phone_number"] == r.Params["id"] {
				if r.Method == http.MethodPatch {
					for k, v := range r.BodyMap() {
						n[k] = v
					}
					n["updated_at"] = time.Now().UTC().Format(time.RFC3339Nano)
				}
				return JSON(map[string]any{"data": n})
			}
		}
		return NotFound("phone number")
	case "GET /mobile_phone_numbers/{id}/messaging":
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, n := range s.state.mobiles {
			if n["id"] == r.Params["id"] {
				return JSON(map[string]any{"data": n})
			}
		}
		return NotFound("mobile phone number")
	case "POST /messaging_numbers_bulk_updates":
		b := r.BodyMap()
		o := map[string]any{
			"record_type": "messaging_numbers_bulk_update",
			"order_id":    UUID(),
			"pending":     b["numbers"],
			"success":     []any{},
			"failed":      []any{},
		}
		s.mu.Lock()
		s.state.orders[o["order_id"].(string)] = o
		s.mu.Unlock()
		return JSON(map[string]any{"data": o})
	case "GET /messaging_numbers_bulk_updates/{order_id}":
		// Each read settles one pending number, so polling sees progress.
		s.mu.Lock()
		defer s.mu.Unlock()
		o := s.state.orders[r.Params["order_id"]]
		if o == nil {
			return NotFound("order")
		}
		if p, _ := o["pending"].([]any); len(p) > 0 {
			o["success"] = append(o["success"].([]any), p[0])
			o["pending"] = p[1:]
		}
		return JSON(map[string]any{"data": o})
	}
	return Error(http.StatusNotImplemented, "99999", "Not implemented by the fake", r.Route)
}

func match(want string, got any) bool { return want == "" || want == got }

func filter(in []map[string]any, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, m := range in {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// page answers one page of items per page[number] and page[size].
func page(r Request, items []map[string]any) Response {
	num, size := 1, 20
	if v, err := strconv.Atoi(r.Query.Get("page[number]")); err == nil && v > 0 {
		num = v
	}
	if v, err := strconv.Atoi(r.Query.Get("page[size]")); err == nil && v > 0 {
		size = v
	}
	total := len(items)
	pages := (total + size - 1) / size
	lo := min((num-1)*size, total)
	hi := min(lo+size, total)
	data := make([]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		data = append(data, it)
	}
	return JSON(map[string]any{
		"data": data,
		"meta": map[string]any{"page_number": num, "page_size": size, "total_pages": pages, "total_results": total},
	})
}

// newMessage builds and stores the queued message a send answers with.
func (s *Server) newMessage(r Request) map[string]any {
	b := r.BodyMap()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	var tos []any
	switch to := b["to"].(type) {
	case string:
		tos = []any{map[string]any{"phone_number": to, "status": "queued", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"}}
	case []any:
		for _, t := range to {
			tos = append(tos, map[string]any{"phone_number": t, "status": "queued", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"})
		}
	}
	from, _ := b["from"].(string)
	if from == "" {
		from = DefaultNumber // number pool: Telnyx picks one
	}
	text, _ := b["text"].(string)
	typ := "SMS"
	var media []any
	if urls, ok := b["media_urls"].([]any); ok && len(urls) > 0 {
		typ = "MMS"
		for _, u := range urls {
			media = append(media, map[string]any{"url": u, "content_type": nil, "sha256": nil, "size": nil})
		}
	}
	if t, ok := b["type"].(string); ok {
		typ = t
	}
	if r.Route == "POST /messages/group_mms" {
		typ = "MMS"
	}
	profile, _ := b["messaging_profile_id"].(string)
	if profile == "" {
		profile = DefaultProfileID
	}
	m := map[string]any{
		"record_type":             "message",
		"direction":               "outbound",
		"id":                      UUID(),
		"type":                    typ,
		"messaging_profile_id":    profile,
		"organization_id":         DefaultOrgID,
		"from":                    map[string]any{"phone_number": from, "carrier": "TELNYX LLC", "line_type": "VoIP"},
		"to":                      tos,
		"cc":                      []any{},
		"text":                    text,
		"subject":                 b["subject"],
		"media":                   media,
		"webhook_url":             b["webhook_url"],
		"webhook_failover_url":    b["webhook_failover_url"],
		"encoding":                "GSM-7",
		"parts":                   1,
		"num_chars":               len([]rune(text)),
		"tags":                    []any{},
		"cost":                    map[string]any{"amount": "0.0051", "currency": "USD"},
		"cost_breakdown":          nil,
		"errors":                  []any{},
		"received_at":             now,
		"sent_at":                 nil,
		"completed_at":            nil,
		"valid_until":             nil,
		"wait_seconds":            0.0,
		"tcr_campaign_id":         nil,
		"tcr_campaign_billable":   false,
		"tcr_campaign_registered": nil,
	}
	if media == nil {
		m["media"] = []any{}
	}
	if sendAt, ok := b["send_at"].(string); ok && sendAt != "" {
		// Not in the spec's OutboundMessagePayload, but Telnyx returns it.
		m["send_at"] = sendAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.messages[m["id"].(string)] = m
	if s.carrier != nil && r.Route != "POST /messages/schedule" {
		// The carrier changes the stored message as it delivers it; the
		// answer is a copy taken now.
		answer := cloneJSON(m)
		s.carrierAcceptedLocked(m)
		return answer
	}
	return m
}

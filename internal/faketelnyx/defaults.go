package faketelnyx

import (
	"crypto/rand"
	"fmt"
	"net/http"
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

// defaultAnswer is a route's answer when a test scripted none: what
// Telnyx would answer, from the fake's state.
func (s *Server) defaultAnswer(r Request) Response {
	switch r.Route {
	case "POST /messages", "POST /messages/long_code", "POST /messages/short_code",
		"POST /messages/number_pool", "POST /messages/alphanumeric_sender_id",
		"POST /messages/group_mms", "POST /messages/schedule":
		return JSON(map[string]any{"data": s.newMessage(r)})
	case "GET /messages/{id}":
		return s.getMessage(r)
	case "DELETE /messages/{id}":
		return s.cancelMessage(r)
	case "POST /messages/whatsapp":
		return sendWhatsApp(r)
	case "GET /messaging_optouts":
		return s.listOptOuts(r)
	case "GET /phone_numbers/messaging":
		return s.listNumbers(r)
	case "GET /mobile_phone_numbers/messaging":
		return s.listMobileNumbers(r)
	case "GET /phone_numbers/{id}/messaging", "PATCH /phone_numbers/{id}/messaging":
		return s.numberSettings(r)
	case "GET /mobile_phone_numbers/{id}/messaging":
		return s.mobileNumberSettings(r)
	case "POST /messaging_numbers_bulk_updates":
		return s.startBulkUpdate(r)
	case "GET /messaging_numbers_bulk_updates/{order_id}":
		return s.bulkUpdate(r)
	}
	return Error(http.StatusNotImplemented, "99999", "Not implemented by the fake", r.Route)
}

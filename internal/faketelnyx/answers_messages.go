package faketelnyx

import (
	"net/http"
	"time"
)

// The default answers of the message routes: sends, lookups, cancels.

func (s *Server) getMessage(r Request) Response {
	s.mu.Lock()
	m := s.state.messages[r.Params["id"]]
	s.mu.Unlock()
	if m == nil {
		return NotFound("message")
	}
	return JSON(map[string]any{"data": m})
}

// cancelMessage cancels a scheduled message, answering it unwrapped (no
// "data"), as the spec says.
func (s *Server) cancelMessage(r Request) Response {
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
	return JSON(m)
}

func sendWhatsApp(r Request) Response {
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
}

// newMessage builds and stores the queued message a send answers with.
func (s *Server) newMessage(r Request) map[string]any {
	m := outboundMessage(r.Route, r.BodyMap())
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

// recipients are a send's to[], queued: one for a string, each of a list.
func recipients(to any) []any {
	party := func(n any) any {
		return map[string]any{"phone_number": n, "status": "queued", "carrier": "T-MOBILE USA, INC.", "line_type": "Wireless"}
	}
	var tos []any
	switch to := to.(type) {
	case string:
		tos = []any{party(to)}
	case []any:
		for _, t := range to {
			tos = append(tos, party(t))
		}
	}
	return tos
}

// messageType is SMS, or MMS with media or to a group, unless the request
// names a type; media lists the request's media_urls (never nil).
func messageType(route string, b map[string]any) (typ string, media []any) {
	typ, media = "SMS", []any{}
	if urls, ok := b["media_urls"].([]any); ok && len(urls) > 0 {
		typ = "MMS"
		for _, u := range urls {
			media = append(media, map[string]any{"url": u, "content_type": nil, "sha256": nil, "size": nil})
		}
	}
	if t, ok := b["type"].(string); ok {
		typ = t
	}
	if route == "POST /messages/group_mms" {
		typ = "MMS"
	}
	return typ, media
}

// outboundMessage is the message record a send of body b creates.
func outboundMessage(route string, b map[string]any) map[string]any {
	from, _ := b["from"].(string)
	if from == "" {
		from = DefaultNumber // number pool: Telnyx picks one
	}
	profile, _ := b["messaging_profile_id"].(string)
	if profile == "" {
		profile = DefaultProfileID
	}
	text, _ := b["text"].(string)
	typ, media := messageType(route, b)
	m := map[string]any{
		"record_type":             "message",
		"direction":               "outbound",
		"id":                      UUID(),
		"type":                    typ,
		"messaging_profile_id":    profile,
		"organization_id":         DefaultOrgID,
		"from":                    map[string]any{"phone_number": from, "carrier": "TELNYX LLC", "line_type": "VoIP"},
		"to":                      recipients(b["to"]),
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
		"received_at":             time.Now().UTC().Format(time.RFC3339Nano),
		"sent_at":                 nil,
		"completed_at":            nil,
		"valid_until":             nil,
		"wait_seconds":            0.0,
		"tcr_campaign_id":         nil,
		"tcr_campaign_billable":   false,
		"tcr_campaign_registered": nil,
	}
	if sendAt, ok := b["send_at"].(string); ok && sendAt != "" {
		// Not in the spec's OutboundMessagePayload, but Telnyx returns it.
		m["send_at"] = sendAt
	}
	return m
}

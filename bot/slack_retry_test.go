package bot_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/store"
)

// inboundText is a message.received webhook from obRemote to obOur.
func inboundText(eventID, text string) []byte {
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	body, _ := json.Marshal(map[string]any{
		"data": map[string]any{
			"event_type": "message.received", "id": eventID, "record_type": "event",
			"occurred_at": time.Now().UTC().Format(time.RFC3339Nano),
			"payload": map[string]any{"id": "msg-" + eventID, "record_type": "message", "direction": "inbound", "type": "SMS",
				"text": text, "from": ep{obRemote}, "to": []ep{{obOur}}, "cc": []ep{}, "media": []any{}, "parts": 1, "encoding": "GSM-7"},
		},
		"meta": map[string]any{"attempt": 1},
	})
	return body
}

// lane is the store's row of c's lane.
func (h *obHarness) lane(c *store.Conversation) store.Lane {
	h.t.Helper()
	var l store.Lane
	name := bridge.ConversationLane(bridge.E164(c.OurNumber), bridge.Remotes(c.RemoteKey))
	if err := h.st.DB().Where("name = ?", name).Take(&l).Error; err != nil {
		h.t.Fatalf("lane %s: %v", name, err)
	}
	return l
}

// postedTexts are the thread's posts that carry one of texts, in order.
func (h *obHarness) postedTexts(c *store.Conversation, texts ...string) []string {
	var out []string
	for _, got := range h.threadTexts(c) {
		for _, want := range texts {
			if strings.Contains(got, want) {
				out = append(out, want)
			}
		}
	}
	return out
}

func TestSlack429RetryAfterKeepsLaneWaitingEvenWhenNewTextsArrive(t *testing.T) {
	h := newOB(t)
	ctx := t.Context()
	c := h.conversation()
	start := h.st.Now()
	h.slack.FailNext("chat.postMessage", 1, fakeslack.RateLimited(30))

	if code := h.postTelnyx(inboundText("ev-first", "first text")); code != http.StatusOK {
		t.Fatalf("first webhook: %d", code)
	}
	if _, err := h.engine.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if l := h.lane(c); l.DueAt == nil || l.DueAt.Before(start.Add(30*time.Second)) {
		t.Fatalf("after a 429 with Retry-After 30 the lane is due at %v, want 30 s after %v", l.DueAt, start)
	}

	if code := h.postTelnyx(inboundText("ev-second", "second text")); code != http.StatusOK {
		t.Fatalf("second webhook: %d", code)
	}
	if l := h.lane(c); l.DueAt == nil || l.DueAt.Before(start.Add(30*time.Second)) {
		t.Fatalf("a new text cut the wait short: lane due at %v, want 30 s after %v", l.DueAt, start)
	}
	if n, err := h.engine.RunDue(ctx); err != nil || n != 0 {
		t.Fatalf("lanes worked while Slack asked to wait: %d, %v", n, err)
	}
	if got := h.postedTexts(c, "first text", "second text"); len(got) != 0 {
		t.Fatalf("posted while Slack asked to wait: %q", got)
	}

	h.clock.Advance(31 * time.Second)
	if _, err := h.engine.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.postedTexts(c, "first text", "second text"); strings.Join(got, "|") != "first text|second text" {
		t.Fatalf("after the wait the thread has %q, want both texts in order", got)
	}
}

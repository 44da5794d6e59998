package faketelnyx_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// hook is a webhook receiver that verifies Telnyx's signature and keeps
// each event's type and the recipient's status.
type hook struct {
	mu     sync.Mutex
	events []string // "message.finalized:delivered", "message.received:STOP"
	bad    int
}

func newCarrier(t *testing.T) (*faketelnyx.Server, *hook) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	v, err := telnyxhook.NewVerifier(base64.StdEncoding.EncodeToString(pub))
	if err != nil {
		t.Fatal(err)
	}
	h := &hook{}
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if v.Verify(r.Header.Get(telnyxhook.HeaderSignature), r.Header.Get(telnyxhook.HeaderTimestamp), body) != nil {
			h.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e struct {
			Data struct {
				EventType string `json:"event_type"`
				Payload   struct {
					Text string `json:"text"`
					To   []struct {
						Status string `json:"status"`
					} `json:"to"`
				} `json:"payload"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &e)
		what := e.Data.Payload.Text
		if e.Data.EventType != "message.received" {
			what = e.Data.Payload.To[0].Status
		}
		h.events = append(h.events, e.Data.EventType+":"+what)
	}))
	t.Cleanup(rx.Close)
	srv := faketelnyx.New(t, faketelnyx.WithCarrier(priv, 10*time.Millisecond))
	srv.SetWebhookURL(rx.URL)
	return srv, h
}

func (h *hook) has(e string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, got := range h.events {
		if got == e {
			return true
		}
	}
	return false
}

// waitFor waits for a condition on the fake's change notifications.
func waitFor(t *testing.T, srv *faketelnyx.Server, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-srv.Changed():
		case <-time.After(20 * time.Millisecond): // the receiver records after the fake's change
		case <-deadline:
			t.Fatal("condition not met within 10s")
		}
	}
}

func TestCarrierReportsDeliveryAndFailsWhereSetTo(t *testing.T) {
	srv, h := newCarrier(t)
	srv.FailDeliveryTo("+13125550199", true)
	for _, to := range []string{"+13125550100", "+13125550199"} {
		resp := post(t, srv.BaseURL+"/messages", `{"from":"+18445550001","to":"`+to+`","text":"hi"}`, true)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("send to %s: status %d", to, resp.StatusCode)
		}
	}
	waitFor(t, srv, func() bool {
		return h.has("message.finalized:delivered") && h.has("message.finalized:delivery_failed")
	})
	if !h.has("message.sent:sent") || h.bad != 0 {
		t.Fatalf("events %v, %d badly signed", h.events, h.bad)
	}
	sent := srv.Sent()
	if len(sent) != 2 || sent[1]["to"].([]any)[0].(map[string]any)["status"] != "delivery_failed" {
		t.Fatalf("Sent() = %v", sent)
	}
}

func TestCarrierRefusesWith40300AfterSTOPUntilSTART(t *testing.T) {
	srv, h := newCarrier(t)
	ctx := context.Background()
	send := func() int {
		return post(t, srv.BaseURL+"/messages", `{"from":"+18445550002","to":"+13125550100","text":"hi"}`, true).StatusCode
	}
	if code, err := srv.Receive(ctx, faketelnyx.Inbound{From: "+13125550100", To: "+18445550001", Text: "stop"}); err != nil || code != 200 {
		t.Fatalf("Receive: %d %v", code, err)
	}
	if !h.has("message.received:stop") {
		t.Fatalf("events %v", h.events)
	}
	// The block is for the whole profile: +18445550002 shares +18445550001's.
	if code := send(); code != http.StatusUnprocessableEntity {
		t.Fatalf("send after STOP: status %d, want 422 (40300)", code)
	}
	if _, err := srv.Receive(ctx, faketelnyx.Inbound{From: "+13125550100", To: "+18445550001", Text: "START"}); err != nil {
		t.Fatal(err)
	}
	if code := send(); code != http.StatusOK {
		t.Fatalf("send after START: status %d, want 200", code)
	}
}

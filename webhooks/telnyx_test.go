package webhooks

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

type telnyxRig struct {
	st   *store.Store
	priv ed25519.PrivateKey
	h    http.Handler
	ing  *flakyIngester
}

// flakyIngester passes through to the bridge unless told to fail.
type flakyIngester struct {
	b    *bridge.Bridge
	fail bool
}

func (f *flakyIngester) IngestTelnyx(ctx context.Context, ev *telnyxhook.Event, raw []byte) (bool, error) {
	if f.fail {
		return false, errors.New("disk full")
	}
	return f.b.IngestTelnyx(ctx, ev, raw)
}

func newTelnyxRig(t *testing.T) *telnyxRig { return newTelnyxRigTB(t) }

func newTelnyxRigTB(t testing.TB) *telnyxRig {
	t.Helper()
	st, err := store.Open(context.Background(), testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	v, err := telnyxhook.NewVerifier(base64.StdEncoding.EncodeToString(pub))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	eng := bridge.NewEngine(st, log, bridge.EngineConfig{})
	b := bridge.New(st, eng, nil, nil, log, bridge.Config{Routes: bridge.Routes{Default: "C1"}, Quiet: bridge.QuietOff})
	ing := &flakyIngester{b: b}
	r := NewRouter(Deps{Log: log, DB: st, Telnyx: &TelnyxHandler{Verifier: v, Ingester: ing, Log: log}})
	return &telnyxRig{st: st, priv: priv, h: r, ing: ing}
}

func (r *telnyxRig) post(body []byte, mutate func(h http.Header)) *httptest.ResponseRecorder {
	sig, ts := telnyxhook.Sign(r.priv, time.Now(), body)
	req := httptest.NewRequest(http.MethodPost, PathTelnyx, bytes.NewReader(body))
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	if mutate != nil {
		mutate(req.Header)
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

func (r *telnyxRig) events(t *testing.T) []store.Event {
	var evs []store.Event
	if err := r.st.DB().Order("id").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	return evs
}

func fixture(t *testing.T, name string) []byte { return fixtureTB(t, name) }

func fixtureTB(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "telnyx", "testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTelnyxWebhookCommitsBeforeAcknowledging(t *testing.T) {
	r := newTelnyxRig(t)
	w := r.post(fixture(t, "message.received.sms.json"), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	evs := r.events(t)
	if len(evs) != 1 || evs[0].Status != store.EventPending || evs[0].ExternalID != "b301ed3f-1490-491f-995f-6e64e69674d4" {
		t.Fatalf("%+v", evs)
	}
	if !strings.HasPrefix(evs[0].Lane, "conv:+18445550001|+13125550123") {
		t.Fatalf("lane %q", evs[0].Lane)
	}
}

func TestTelnyxWebhookRedeliveryChangesNothing(t *testing.T) {
	r := newTelnyxRig(t)
	body := fixture(t, "message.received.sms.json")
	for i := 0; i < 3; i++ {
		if w := r.post(body, nil); w.Code != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, w.Code)
		}
	}
	if n := len(r.events(t)); n != 1 {
		t.Fatalf("%d events stored", n)
	}
}

func TestTelnyxWebhookRejectsAndStoresNothing(t *testing.T) {
	good := fixture(t, "message.received.sms.json")
	cases := []struct {
		name   string
		body   []byte
		mutate func(h http.Header)
		status int
	}{
		{"missing signature", good, func(h http.Header) { h.Del(telnyxhook.HeaderSignature) }, 401},
		{"missing timestamp", good, func(h http.Header) { h.Del(telnyxhook.HeaderTimestamp) }, 401},
		{"bad signature", good, func(h http.Header) {
			h.Set(telnyxhook.HeaderSignature, base64.StdEncoding.EncodeToString(make([]byte, 64)))
		}, 401},
		{"stale timestamp", good, func(h http.Header) {
			h.Set(telnyxhook.HeaderTimestamp, "1000000000")
		}, 401},
		{"not json", []byte(`{"data":`), nil, 400},
		{"no event id", []byte(`{"data":{"event_type":"message.received"}}`), nil, 400},
		{"too large", bytes.Repeat([]byte("x"), MaxBody+1), nil, 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newTelnyxRig(t)
			w := r.post(c.body, c.mutate)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if !strings.Contains(w.Body.String(), `"error"`) {
				t.Fatalf("no reason in %s", w.Body)
			}
			if n := len(r.events(t)); n != 0 {
				t.Fatalf("%d events stored", n)
			}
		})
	}
}

func TestTelnyxWebhookUnknownTypeIsStoredAndAcknowledged(t *testing.T) {
	r := newTelnyxRig(t)
	w := r.post([]byte(`{"data":{"event_type":"number.order.complete","id":"u-1","payload":{}}}`), nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	evs := r.events(t)
	if len(evs) != 1 || evs[0].Status != store.EventIgnored || evs[0].Type != "number.order.complete" {
		t.Fatalf("%+v", evs)
	}
}

func TestTelnyxWebhookStoreFailureIs5xxSoTelnyxRetries(t *testing.T) {
	r := newTelnyxRig(t)
	r.ing.fail = true
	if w := r.post(fixture(t, "message.received.sms.json"), nil); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", w.Code)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	r := newTelnyxRig(t)
	for _, p := range []string{PathHealth, PathReady} {
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", p, w.Code)
		}
	}
	r.st.Close()
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathReady, nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d", w.Code)
	}
}

func TestVerifySlack(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	body := []byte(`{"type":"event_callback"}`)
	h := SignSlack("s3cret", now, body)
	if err := VerifySlack("s3cret", now, h, body); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if err := VerifySlack("other", now, h, body); !errors.Is(err, ErrSlackSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := VerifySlack("s3cret", now, h, append(body, ' ')); !errors.Is(err, ErrSlackSignature) {
		t.Fatalf("tampered: %v", err)
	}
	if err := VerifySlack("s3cret", now.Add(6*time.Minute), h, body); !errors.Is(err, ErrSlackStale) {
		t.Fatalf("stale: %v", err)
	}
	if err := VerifySlack("s3cret", now, http.Header{}, body); !errors.Is(err, ErrSlackNoSignature) {
		t.Fatalf("missing: %v", err)
	}
}

func TestMetricsShowBacklog(t *testing.T) {
	r := newTelnyxRig(t)
	r.post(fixture(t, "message.received.sms.json"), nil)
	m := NewMetrics()
	m.Events = r.st.EventCounts
	m.OldestPending = r.st.OldestPendingAge
	log := slog.New(slog.DiscardHandler)
	h := NewRouter(Deps{Log: log, DB: r.st, Metrics: m})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathMetrics, nil))
	body := w.Body.String()
	for _, want := range []string{`smsbridge_events{status="pending"} 1`, "smsbridge_oldest_pending_event_age_seconds "} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

// mutateFixture decodes a fixture, lets f change it, and encodes it again.
func mutateFixture(t *testing.T, name string, f func(data, payload map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(fixture(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	data := doc["data"].(map[string]any)
	payload, _ := data["payload"].(map[string]any)
	f(data, payload)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parties(nums ...string) []any {
	out := make([]any, len(nums))
	for i, n := range nums {
		out[i] = map[string]any{"phone_number": n}
	}
	return out
}

func TestTelnyxWebhookWithNumbersTelnyxCannotUseIsRefusedAndNothingStored(t *testing.T) {
	many := make([]string, 5000)
	for i := range many {
		many[i] = fmt.Sprintf("+1312555%04d", i)
	}
	nine := []string{"+13125550101", "+13125550102", "+13125550103", "+13125550104", "+13125550105",
		"+13125550106", "+13125550107", "+13125550108"}
	cases := []struct {
		name string
		f    func(data, p map[string]any)
	}{
		{"two numbers in from", func(_, p map[string]any) { p["from"] = map[string]any{"phone_number": "+13125550191,+13125550192"} }},
		{"a Slack mention in from", func(_, p map[string]any) { p["from"] = map[string]any{"phone_number": "<!channel>"} }},
		{"words in from", func(_, p map[string]any) { p["from"] = map[string]any{"phone_number": "not-a-number"} }},
		{"a Slack mention in to", func(_, p map[string]any) { p["to"] = parties("<!channel>") }},
		{"an alphanumeric sender in to", func(_, p map[string]any) { p["to"] = parties("ACME") }},
		{"words in cc", func(_, p map[string]any) { p["cc"] = parties("not-a-number") }},
		{"5,000 cc entries", func(_, p map[string]any) { p["cc"] = parties(many...) }},
		{"a group of nine besides us", func(_, p map[string]any) { p["cc"] = parties(nine...) }},
		{"two numbers in a finalized report's to", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.f == nil {
				body = mutateFixture(t, "message.finalized.delivered.json", func(_, p map[string]any) {
					p["to"] = parties("+13125550191,+13125550192")
				})
			} else {
				body = mutateFixture(t, "message.received.sms.json", c.f)
			}
			r := newTelnyxRig(t)
			w := r.post(body, nil)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"error"`) {
				t.Fatalf("status %d, want 400 with a reason: %.300s", w.Code, w.Body)
			}
			if n := len(r.events(t)); n != 0 {
				t.Fatalf("%d events stored", n)
			}
		})
	}
}

func TestTelnyxWebhookAcceptsEverySenderKindTelnyxDelivers(t *testing.T) {
	eight := []string{"+13125550101", "+13125550102", "+13125550103", "+13125550104", "+13125550105",
		"+13125550106", "+13125550107"} // with from, eight besides us
	for name, f := range map[string]func(data, p map[string]any){
		"alphanumeric sender": func(_, p map[string]any) { p["from"] = map[string]any{"phone_number": "ACME Bank"} },
		"short code sender":   func(_, p map[string]any) { p["from"] = map[string]any{"phone_number": "24273"} },
		"short code to":       func(_, p map[string]any) { p["to"] = parties("24273") },
		"group of eight":      func(_, p map[string]any) { p["cc"] = parties(eight...) },
	} {
		t.Run(name, func(t *testing.T) {
			r := newTelnyxRig(t)
			if w := r.post(mutateFixture(t, "message.received.sms.json", f), nil); w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join("..", "telnyx", "testdata", "webhooks"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			r := newTelnyxRig(t)
			if w := r.post(fixture(t, e.Name()), nil); w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
		})
	}
}

func TestTelnyxMessageReceivedWithoutWhatATextNeedsIsRefused(t *testing.T) {
	cases := map[string]string{
		"no payload":               `{"data":{"event_type":"message.received","id":"e-1","record_type":"event"}}`,
		"null payload":             `{"data":{"event_type":"message.received","id":"e-1","payload":null}}`,
		"a payload with an id":     `{"data":{"event_type":"message.received","id":"e-1","payload":{"id":"m-1"}}}`,
		"no recipients":            `{"data":{"event_type":"message.received","id":"e-1","payload":{"id":"m-1","from":{"phone_number":"+13125550123"},"to":[]}}}`,
		"no sender":                `{"data":{"event_type":"message.received","id":"e-1","payload":{"id":"m-1","to":[{"phone_number":"+18445550001"}]}}}`,
		"a report with no payload": `{"data":{"event_type":"message.finalized","id":"e-1"}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			r := newTelnyxRig(t)
			w := r.post([]byte(body), nil)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"error"`) {
				t.Fatalf("status %d, want 400 with a reason: %s", w.Code, w.Body)
			}
			if n := len(r.events(t)); n != 0 {
				t.Fatalf("%d events stored", n)
			}
		})
	}
}

func TestTelnyxGroupReportListingRecipientsInToAndCcIsAccepted(t *testing.T) {
	eight := []string{"+13125550101", "+13125550102", "+13125550103", "+13125550104", "+13125550105",
		"+13125550106", "+13125550107", "+13125550108"}
	body := mutateFixture(t, "message.finalized.delivered.json", func(_, p map[string]any) {
		p["to"], p["cc"] = parties(eight...), parties(eight...)
	})
	r := newTelnyxRig(t)
	if w := r.post(body, nil); w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

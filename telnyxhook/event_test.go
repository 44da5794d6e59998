package telnyxhook

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/telnyx"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "telnyx", "testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseWebhookFixtures(t *testing.T) {
	cases := []struct {
		file, typ, id, msgID string
		media, cc            int
	}{
		{"message.received.sms.json", EventMessageReceived, "b301ed3f-1490-491f-995f-6e64e69674d4", "84cca175-9755-4859-b67f-4730d7f58aa3", 0, 0},
		{"message.received.mms.json", EventMessageReceived, "0f4c1b54-9d8e-4b8f-a0c2-8e1f3a6d2b71", "5b2c7d0e-3a41-4e7e-9d0b-1f2a3b4c5d6e", 1, 0},
		{"message.received.group_mms.json", EventMessageReceived, "6d0f7c2e-2c1b-4f3e-b8a9-90aa1c2d3e4f", "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", 0, 2},
		{"message.sent.json", EventMessageSent, "86f58db9-0fe3-4adc-9d1f-46e66e6e9323", "40385f64-5717-4562-b3fc-2c963f66afa6", 0, 0},
		{"message.finalized.delivered.json", EventMessageFinalized, "4ee8c3a6-4995-4309-a3c6-38e3db9ea4be", "40385f64-5717-4562-b3fc-2c963f66afa6", 0, 0},
		{"message.finalized.delivery_failed.json", EventMessageFinalized, "9a7e2c4d-61f0-4b7a-9c3e-2d5f8a1b0c9e", "1e0b9d3c-7f2a-4a55-8e61-3c2b1a0f9e8d", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ev, err := ParseWebhook(readFixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type != c.typ || ev.ID != c.id || ev.DedupKey() != c.id {
				t.Fatalf("got type %q id %q", ev.Type, ev.ID)
			}
			if ev.Message == nil || ev.Message.ID != c.msgID {
				t.Fatalf("message id: %+v", ev.Message)
			}
			if len(ev.Message.Media) != c.media || len(ev.Message.Cc) != c.cc {
				t.Fatalf("media %d cc %d", len(ev.Message.Media), len(ev.Message.Cc))
			}
			if ev.OccurredAt.IsZero() {
				t.Fatal("occurred_at not parsed")
			}
		})
	}
}

func TestParseWebhookFinalizedCarriesErrors(t *testing.T) {
	ev, err := ParseWebhook(readFixture(t, "message.finalized.delivery_failed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Message.Errors; len(got) != 1 || got[0].Code != "40008" || got[0].Title != "Undeliverable" {
		t.Fatalf("errors: %+v", got)
	}
	if ev.Message.To[0].Status != telnyx.StatusDeliveryFailed {
		t.Fatalf("status %q", ev.Message.To[0].Status)
	}
}

func TestParseWebhookLinkClicked(t *testing.T) {
	ev, err := ParseWebhook(readFixture(t, "link_clicked.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != EventLinkClicked || ev.Click == nil || ev.Click.MessageID != "40385f64-5717-4562-b3fc-2c963f66afa6" {
		t.Fatalf("%+v", ev)
	}
	if ev.ID != "" || ev.DedupKey() == "" {
		t.Fatalf("link click must have a synthetic dedup key, got id %q key %q", ev.ID, ev.DedupKey())
	}
}

func TestParseWebhookUnknownTypeParses(t *testing.T) {
	ev, err := ParseWebhook([]byte(`{"data":{"event_type":"number.ported","id":"e1","payload":{"x":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "number.ported" || ev.Message != nil {
		t.Fatalf("%+v", ev)
	}
}

func TestParseWebhookRejectsMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"not json":        `{"data":`,
		"no id":           `{"data":{"event_type":"message.received","payload":{"id":"m"}}}`,
		"no type":         `{"data":{"id":"e1"}}`,
		"payload no id":   `{"data":{"event_type":"message.received","id":"e1","payload":{"text":"hi"}}}`,
		"payload wrong":   `{"data":{"event_type":"message.received","id":"e1","payload":{"id":5}}}`,
		"click no msg id": `{"data":{"record_type":"link_clicked","url":"https://x"}}`,
	} {
		if _, err := ParseWebhook([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func newKey(t *testing.T) (ed25519.PrivateKey, *Verifier) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(base64.StdEncoding.EncodeToString(pub))
	if err != nil {
		t.Fatal(err)
	}
	return priv, v
}

func TestVerifier(t *testing.T) {
	priv, v := newKey(t)
	otherPriv, _ := newKey(t)
	now := time.Unix(1_780_000_000, 0)
	v = v.WithClock(func() time.Time { return now })
	body := readFixture(t, "message.received.sms.json")
	sig, ts := Sign(priv, now, body)
	wrongSig, _ := Sign(otherPriv, now, body)
	oldSig, oldTS := Sign(priv, now.Add(-301*time.Second), body)
	futSig, futTS := Sign(priv, now.Add(301*time.Second), body)
	edgeSig, edgeTS := Sign(priv, now.Add(-300*time.Second), body)
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] ^= 1

	cases := []struct {
		name    string
		sig, ts string
		body    []byte
		want    error
	}{
		{"valid", sig, ts, body, nil},
		{"edge of window", edgeSig, edgeTS, body, nil},
		{"wrong key", wrongSig, ts, body, ErrBadSignature},
		{"tampered body", sig, ts, tampered, ErrBadSignature},
		{"timestamp changed", sig, edgeTS, body, ErrBadSignature},
		{"too old", oldSig, oldTS, body, ErrStaleTimestamp},
		{"too far ahead", futSig, futTS, body, ErrStaleTimestamp},
		{"non-numeric timestamp", sig, "17800000x0", body, ErrBadTimestamp},
		{"signature wrong length", base64.StdEncoding.EncodeToString(make([]byte, 63)), ts, body, ErrBadSignature},
		{"signature not base64", "!!!", ts, body, ErrBadSignature},
		{"missing signature", "", ts, body, ErrMissingSignature},
		{"missing timestamp", sig, "", body, ErrMissingSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.Verify(c.sig, c.ts, c.body)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewVerifierRejectsBadKeys(t *testing.T) {
	for name, key := range map[string]string{
		"not base64": "not*base64",
		"31 bytes":   base64.StdEncoding.EncodeToString(make([]byte, 31)),
		"33 bytes":   base64.StdEncoding.EncodeToString(make([]byte, 33)),
		"empty":      "",
	} {
		if _, err := NewVerifier(key); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

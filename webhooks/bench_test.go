package webhooks

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

// BenchmarkTelnyxWebhook measures the webhook path a Telnyx delivery takes:
// verify the Ed25519 signature, parse, commit to SQLite (group commit), and
// answer. Each request is a new event, so every one is a real insert.
//
//	go test -run '^$' -bench TelnyxWebhook -benchtime 20000x ./webhooks/
func BenchmarkTelnyxWebhook(b *testing.B) {
	r := newTelnyxRigTB(b)
	var seq atomic.Int64
	tmpl := tmplReplace(string(fixtureTB(b, "message.received.sms.json")))
	b.SetParallelism(16) // webhooks arrive concurrently: 16×GOMAXPROCS senders
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			body := []byte(fmt.Sprintf(tmpl, n, n))
			sig, ts := telnyxhook.Sign(r.priv, time.Now(), body)
			req := httptest.NewRequest(http.MethodPost, PathTelnyx, bytes.NewReader(body))
			req.Header.Set(telnyxhook.HeaderSignature, sig)
			req.Header.Set(telnyxhook.HeaderTimestamp, ts)
			w := httptest.NewRecorder()
			r.h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "webhooks/s")
}

// tmplReplace turns the fixture's event and message ids into %d verbs.
func tmplReplace(s string) string {
	s = string(bytes.Replace([]byte(s), []byte("b301ed3f-1490-491f-995f-6e64e69674d4"), []byte("evt-%d"), 1))
	return string(bytes.Replace([]byte(s), []byte("84cca175-9755-4859-b67f-4730d7f58aa3"), []byte("msg-%d"), 1))
}

package bot_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
)

// BenchmarkOutboundSlackEventToTelnyxSend measures the outbound path as a
// teammate waits on it: from a signed Slack event received by the real gin
// router (SlackSigned, bot.Events, SlackMessages, commit to SQLite) to the
// Telnyx send request arriving at the fake Telnyx API, through the engine
// (production settings: 4 workers, 1 s poll, woken on commit), the outbox
// and the real Telnyx client. Nothing is rate-limited. Besides ns/op it
// reports the latency percentiles:
//
//	go test ./bot -run '^$' -bench OutboundSlackEventToTelnyxSend -benchtime 2000x
func BenchmarkOutboundSlackEventToTelnyxSend(b *testing.B) {
	h := newOB(b, withEngineConfig(bridge.EngineConfig{}))
	c := h.conversation()
	h.tx.seen = make(chan struct{}, 1)
	h.start()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		body, _ := h.reply(c, "On our way, ETA 10 minutes")
		b.StartTimer()
		start := time.Now()
		if code := h.postEvent(body, 0); code != http.StatusOK {
			b.Fatalf("event answered %d", code)
		}
		select {
		case <-h.tx.seen:
		case <-time.After(10 * time.Second):
			b.Fatal("no send request within 10s")
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	h.settle()
	if n := len(h.tx.sends()); n != b.N {
		b.Fatalf("%d sends for %d events", n, b.N)
	}
}

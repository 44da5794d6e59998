package bot_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// TestLoadPacedSender is the pacing load run of README "Measured"; go test
// ./... skips it. 500 thread replies over 50 conversations, from one long
// code and then from one toll-free number, through the real router, engine
// (production settings: 4 workers, 1 s poll), outbox and Telnyx client, to
// the strict fake Telnyx. While the sender waits, 20 inbound texts to
// another of our numbers arrive spread over the run. It asserts no 429,
// every conversation's replies sent once in order, and every inbound text
// posted while the sender still had replies waiting.
//
//	SMSBRIDGE_LOAD=1 go test ./bot -run TestLoadPacedSender -v -timeout 30m
//	SMSBRIDGE_LOAD=1 SMSBRIDGE_LOAD_LONG_CODE_RATE=50 go test ./bot -run TestLoadPacedSender -v
//
// The second scales the long code (fake and pacer both) to 50/s for a quick
// run; the first uses Telnyx's rates (long code 1/s: about 8 minutes).
func TestLoadPacedSender(t *testing.T) {
	if os.Getenv("SMSBRIDGE_LOAD") == "" {
		t.Skip("load run; set SMSBRIDGE_LOAD=1 (README, Measured)")
	}
	long := bridge.DefaultRate(bridge.SenderLongCode)
	if v := os.Getenv("SMSBRIDGE_LOAD_LONG_CODE_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			t.Fatalf("SMSBRIDGE_LOAD_LONG_CODE_RATE %q", v)
		}
		long.PerSecond = r
	}
	t.Run("long code", func(t *testing.T) { loadPaced(t, paceLongCode, long) })
	t.Run("toll-free", func(t *testing.T) { loadPaced(t, "+18445550001", bridge.DefaultRate(bridge.SenderTollFree)) })
}

func loadPaced(t *testing.T, from string, rate bridge.Rate) {
	const convs, rounds, inbound = 50, 10, 20
	const other = "+18445550002" // the inbound texts' number: not the sender's
	h := newOB(t, withEngineConfig(bridge.EngineConfig{}),
		withStrictTelnyx(faketelnyx.WithSenderRate(from, strictRate(rate))),
		withPacer(bridge.SenderRates{from: rate}))
	cs := h.paceConversations(from, convs)
	h.start()
	n := convs * rounds
	expect := time.Duration(float64(n-rate.Burst) / rate.PerSecond * float64(time.Second))
	t.Logf("%d replies from %s (%s), %s: expect about %v", n, bridge.SenderKindOf(from), from, rate, expect.Round(time.Second))

	start := time.Now()
	h.replyRounds(cs, rounds)
	posted := time.Since(start)

	// Inbound texts to another number, spread over the expected run.
	var ids []string
	for i := range inbound {
		// Pacing the load itself (not waiting for a result): the i-th text
		// arrives (i+1)/(inbound+1) of the way through the expected run.
		time.Sleep(time.Until(start.Add(expect * time.Duration(i+1) / (inbound + 1))))
		id := fmt.Sprintf("in-%s-%d", from, i)
		ids = append(ids, id)
		if code := h.postTelnyx(inboundTextFrom(id, fmt.Sprintf("+1617555%04d", i), other, "hello")); code != http.StatusOK {
			t.Fatalf("inbound webhook answered %d", code)
		}
	}
	deadline := time.Now().Add(expect + time.Minute)
	for len(h.strictTimes()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	h.settle()
	at := h.strictTimes()
	if len(at) != n {
		t.Fatalf("%d of %d replies sent", len(at), n)
	}
	h.checkOrder(cs, rounds)
	limited := len(h.strict.RateLimited())
	if limited != 0 {
		t.Errorf("%d sends refused with 429", limited)
	}
	var failed int64
	h.st.DB().Model(&store.Message{}).Where("direction = ? AND status <> ?", store.Outbound, store.OutQueued).Count(&failed)
	if failed != 0 {
		t.Errorf("%d outbox entries not queued", failed)
	}

	// Inbound: posted within how long, and before the sender was done.
	var lat []time.Duration
	last := at[len(at)-1]
	for _, id := range ids {
		var ev store.Event
		if err := h.st.DB().Where("source = ? AND external_id = ?", bridge.SourceTelnyx, id).Take(&ev).Error; err != nil {
			t.Fatal(err)
		}
		if ev.Status != store.EventDone || ev.DoneAt == nil {
			t.Fatalf("inbound %s is %s", id, ev.Status)
		}
		lat = append(lat, ev.DoneAt.Sub(ev.ReceivedAt))
		if !ev.DoneAt.Before(last) {
			t.Errorf("inbound %s was posted only after the sender's last reply", id)
		}
	}
	slices.Sort(lat)

	// The busiest second, as the service sent.
	busiest := 0
	for i := range at {
		j := i
		for j < len(at) && at[j].Sub(at[i]) < time.Second {
			j++
		}
		busiest = max(busiest, j-i)
	}
	took := last.Sub(at[0])
	t.Logf("RESULT %s: %d sent in %v (first to last; replies posted in %v), %.2f/s, busiest second %d, 429s %d; %d inbound texts posted meanwhile: p50 %v, max %v",
		bridge.SenderKindOf(from), n, took.Round(time.Millisecond), posted.Round(time.Millisecond),
		float64(n-1)/took.Seconds(), busiest, limited, len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}

// inboundText is a message.received webhook from remote to our number.
func inboundTextFrom(eventID, remote, our, text string) []byte {
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{
		"event_type": telnyxhook.EventMessageReceived, "id": eventID, "record_type": "event",
		"occurred_at": time.Now().UTC().Format(time.RFC3339Nano),
		"payload": map[string]any{"id": "msg-" + eventID, "record_type": "message", "direction": "inbound", "type": "SMS", "text": text,
			"from": ep{remote}, "to": []ep{{our}}, "cc": []ep{}, "media": []any{}},
	}})
	return body
}

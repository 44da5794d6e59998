package bot_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// Pacing end to end: thread replies through the real router, engine and
// outbox, sent by the real Telnyx client to the spec-checking fake, which
// answers 429 to a sender over its rate as Telnyx does.

// paceLongCode is a long code (1/s at Telnyx outside 10DLC).
const paceLongCode = "+13125550100"

func withStrictTelnyx(opts ...faketelnyx.Option) obOption {
	return func(h *obHarness) { h.strict = faketelnyx.New(h.t, opts...) }
}

// withPacer paces the outbox, at rates over the kinds' defaults.
func withPacer(rates bridge.SenderRates) obOption {
	return func(h *obHarness) { h.paced, h.rates = true, rates }
}

// strictSenders remembers when each accepted send left, per fake.
var strictSenders sync.Map // *faketelnyx.Server → *timedSender

// strictSender is the real client and TelnyxSender pointed at the strict
// fake, with one attempt per call: a 429 comes back to the outbox, which
// owns the wait, and every 429 the fake answers is one the service drew.
func strictSender(srv *faketelnyx.Server) bridge.SMSSender {
	c := telnyx.NewClient(obAPIKey, telnyx.WithBaseURL(srv.BaseURL), telnyx.WithRetryPolicy(telnyx.RetryPolicy{MaxAttempts: 1}))
	ts := &timedSender{next: &bridge.TelnyxSender{Client: c}}
	strictSenders.Store(srv, ts)
	return ts
}

type timedSender struct {
	next bridge.SMSSender
	mu   sync.Mutex
	at   []time.Time // when each accepted send was answered
}

func (s *timedSender) SendSMS(ctx context.Context, m bridge.OutSMS) (*bridge.SentSMS, error) {
	sent, err := s.next.SendSMS(ctx, m)
	if err == nil {
		s.mu.Lock()
		s.at = append(s.at, time.Now())
		s.mu.Unlock()
	}
	return sent, err
}

func (s *timedSender) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

func (h *obHarness) strictTimes() []time.Time {
	ts, _ := strictSenders.Load(h.strict)
	return ts.(*timedSender).times()
}

// strictRate is what the fake allows a sender the service paces at r: the
// same rate, with the burst plus 250 ms of jitter (at least one message).
// The fake's defaults allow 100 ms; the tests scale rates up to 50/s to
// stay quick, and on a loaded 2-core machine a stall of a few hundred ms
// lets paced sends that were due apart arrive together (seen while other
// -race test binaries ran). An unpaced burst still exceeds this many times
// over, which TestBurstFromOneSenderIsPacedUnderItsTelnyxLimit checks.
func strictRate(r bridge.Rate) faketelnyx.SenderRate {
	return faketelnyx.SenderRate{PerSecond: r.PerSecond, Burst: r.Burst + max(1, int(math.Ceil(r.PerSecond/4)))}
}

// paceConversations makes n conversations on our number with distinct
// phones.
func (h *obHarness) paceConversations(our string, n int) []*store.Conversation {
	h.t.Helper()
	out := make([]*store.Conversation, n)
	for i := range out {
		out[i] = h.conversationOn(our, fmt.Sprintf("+1415555%04d", i))
	}
	return out
}

// replyRounds posts rounds replies in each conversation, one round at a
// time across all of them, as fast as the router takes them. Reply k in
// conversation i reads "c<i> #<k>".
func (h *obHarness) replyRounds(convs []*store.Conversation, rounds int) {
	h.t.Helper()
	for k := range rounds {
		for i, c := range convs {
			body, _ := h.reply(c, fmt.Sprintf("c%02d #%d", i, k))
			if code := h.postEvent(body, 0); code != http.StatusOK {
				h.t.Fatalf("reply event answered %d", code)
			}
		}
	}
}

// checkOrder fails unless every conversation's replies reached Telnyx once
// each, in the order written.
func (h *obHarness) checkOrder(convs []*store.Conversation, rounds int) {
	h.t.Helper()
	next := map[string]int{}
	for _, r := range h.strict.RequestsTo("POST /messages") {
		b := r.BodyMap()
		to, _ := b["to"].(string)
		var i, k int
		if _, err := fmt.Sscanf(fmt.Sprint(b["text"]), "c%d #%d", &i, &k); err != nil {
			h.t.Fatalf("unexpected send %v", b)
		}
		if want := convs[i].RemoteKey; to != want {
			h.t.Fatalf("%q went to %s, want %s", b["text"], to, want)
		}
		if k != next[to] {
			h.t.Fatalf("conversation %d: reply #%d sent when #%d was next", i, k, next[to])
		}
		next[to]++
	}
	for i, c := range convs {
		if next[c.RemoteKey] != rounds {
			h.t.Fatalf("conversation %d: %d of %d replies sent", i, next[c.RemoteKey], rounds)
		}
	}
}

// A burst of replies from one long code (scaled to 50/s to keep the test
// quick) reaches Telnyx at its rate, none refused, each conversation in
// order; without the pacer the same burst draws 429s.
func TestBurstFromOneSenderIsPacedUnderItsTelnyxLimit(t *testing.T) {
	rate := bridge.Rate{PerSecond: 50, Burst: 1}
	run := func(t *testing.T, paced bool, rate bridge.Rate) (*obHarness, []*store.Conversation) {
		opts := []obOption{withStrictTelnyx(faketelnyx.WithSenderRate(paceLongCode, strictRate(rate)))}
		if paced {
			opts = append(opts, withPacer(bridge.SenderRates{paceLongCode: rate}))
		}
		h := newOB(t, opts...)
		convs := h.paceConversations(paceLongCode, 6)
		h.start()
		h.replyRounds(convs, 10)
		return h, convs
	}
	t.Run("paced", func(t *testing.T) {
		h, convs := run(t, true, rate)
		h.settle()
		if n := len(h.strict.RateLimited()); n != 0 {
			t.Fatalf("%d sends refused with 429", n)
		}
		h.checkOrder(convs, 10)
		at := h.strictTimes()
		if took := at[len(at)-1].Sub(at[0]); took < time.Duration(float64(len(at)-2)/rate.PerSecond*float64(time.Second)) {
			t.Fatalf("%d sends in %v: faster than %g/s", len(at), took, rate.PerSecond)
		}
	})
	t.Run("unpaced draws 429s", func(t *testing.T) {
		// A strict fake at 2/s: even a machine slowed by the race detector
		// sends an unpaced burst faster than that.
		h, _ := run(t, false, bridge.Rate{PerSecond: 2, Burst: 1})
		h.slack.WaitFor(func() bool { return len(h.strict.RateLimited()) > 0 }, 10*time.Second)
		if len(h.strict.RateLimited()) == 0 {
			t.Fatal("the strict fake refused nothing of an unpaced burst: this test could not fail")
		}
	})
}

// A 429 on one conversation's send pauses its sender until the reset: the
// sender's next conversation waits too rather than drawing its own 429.
func TestTelnyx429SlowsEveryConversationOfTheSender(t *testing.T) {
	h := newOB(t, withStrictTelnyx(), withPacer(nil))
	limited := faketelnyx.Error(http.StatusTooManyRequests, "10011", "Too many requests", "rate limit exceeded")
	limited.Header = http.Header{"Retry-After": {"1"}}
	h.strict.Enqueue("POST /messages", limited)
	a, b := h.conversation("+14155550001"), h.conversation("+14155550002")
	h.start()
	body, _ := h.reply(a, "first")
	h.postEvent(body, 0)
	h.slack.WaitFor(func() bool { return len(h.strict.RequestsTo("POST /messages")) == 1 }, 10*time.Second)
	refused := time.Now()
	// The second reply comes once the 429 has paused the sender (recorded
	// just after Telnyx answered): sent earlier, it could take its token
	// before the pause and pass this test only by luck of timing.
	h.slack.WaitFor(func() bool {
		var paused int64
		h.st.DB().Raw("SELECT count(*) FROM budgets WHERE paused_until IS NOT NULL").Scan(&paused)
		return paused > 0
	}, 10*time.Second)
	body, _ = h.reply(b, "second")
	h.postEvent(body, 0)
	h.settle()
	reqs := h.strict.RequestsTo("POST /messages")
	if len(reqs) != 3 {
		t.Fatalf("%d send requests, want 3 (the 429, then both)", len(reqs))
	}
	at := h.strictTimes()
	if len(at) != 2 || at[0].Sub(refused) < 900*time.Millisecond {
		t.Fatalf("after a 429 with Retry-After 1, the sender sent again %v later", at[0].Sub(refused))
	}
	if m := h.outbound(obChannel + ":" + mustTS(t, h, b)); m.Status != "queued" {
		t.Fatalf("the second conversation's reply is %s", m.Status)
	}
}

// mustTS is the ts of the only teammate reply in c's thread.
func mustTS(t *testing.T, h *obHarness, c *store.Conversation) string {
	t.Helper()
	var ts string
	if err := h.st.DB().Model(&store.Message{}).Where("conversation_id = ? AND direction = ?", c.ID, store.Outbound).Pluck("slack_ts", &ts).Error; err != nil {
		t.Fatal(err)
	}
	return ts
}

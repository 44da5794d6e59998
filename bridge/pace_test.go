package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

func TestSenderKindOfClassifiesByTelnyxThroughput(t *testing.T) {
	for from, want := range map[string]SenderKind{
		"+13125550100":  SenderLongCode,
		"+442071838750": SenderLongCode,
		"+18005550100":  SenderTollFree,
		"+18335550100":  SenderTollFree,
		"+18445550001":  SenderTollFree,
		"+18555550100":  SenderTollFree,
		"+18665550100":  SenderTollFree,
		"+18775550100":  SenderTollFree,
		"+18885550100":  SenderTollFree,
		"+18995550100":  SenderLongCode, // 899 is not toll-free
		"12345":         SenderShortCode,
		"123456":        SenderShortCode,
		"1234567":       SenderLongCode,
		"MyShop":        SenderAlphanumeric,
		"Shop24":        SenderAlphanumeric,
	} {
		if got := SenderKindOf(from); got != want {
			t.Errorf("%s: %v, want %v", from, got, want)
		}
	}
}

func TestParseSenderRatesReadsRatesAndNamesWhatIsWrong(t *testing.T) {
	got, err := ParseSenderRates(" +18445550001=10/s, MyShop=6/m,+13125550100=75/m:5,12345=3600/h ")
	if err != nil {
		t.Fatal(err)
	}
	want := SenderRates{
		"+18445550001": {PerSecond: 10, Burst: 10},
		"MyShop":       {PerSecond: 0.1, Burst: 1},
		"+13125550100": {PerSecond: 1.25, Burst: 5},
		"12345":        {PerSecond: 1, Burst: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%s: %+v, want %+v", k, g, w)
		}
	}
	if r, err := ParseSenderRates(""); err != nil || len(r) != 0 {
		t.Fatalf("empty: %v %v", r, err)
	}
	for in, why := range map[string]string{
		"+18445550001":             "no sender or no rate",
		"=10/s":                    "no sender or no rate",
		"+18445550001=10":          "no unit",
		"+18445550001=ten/s":       "not a positive number",
		"+18445550001=0/s":         "not a positive number",
		"+18445550001=10/d":        "not s, m or h",
		"+18445550001=10/s:0":      "burst",
		"A=1/s,A=2/s":              "named twice",
		"+18445550001=10/s,MyShop": "no sender or no rate",
	} {
		_, err := ParseSenderRates(in)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "SMSBRIDGE_SENDER_RATES") {
			t.Errorf("%q: error %v, want one saying %q", in, err, why)
		}
	}
}

func newTestPacer(t *testing.T, rates SenderRates) (*Pacer, *testClock) {
	t.Helper()
	h := newHarness(t)
	return NewPacer(h.st, rates, h.st.Now), h.clock
}

func TestPacerGivesEachSenderItsKindsRateOrItsOwn(t *testing.T) {
	p, clk := newTestPacer(t, SenderRates{"+13125550199": {PerSecond: 4, Burst: 2}})
	ctx := context.Background()
	start := clk.Now()
	n := 0
	reserve := func(from string) time.Time {
		t.Helper()
		n++
		at, err := p.Reserve(ctx, from, fmt.Sprintf("msg:%d", n))
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	for from, c := range map[string]struct {
		free int           // sent at once
		next time.Duration // the first one told to wait, waits this long
	}{
		"+13125550100": {1, time.Second},            // long code
		"+18445550001": {20, 50 * time.Millisecond}, // toll-free
		"12345":        {1000, time.Millisecond},    // short code
		"MyShop":       {1, 10 * time.Second},       // alphanumeric
		"+13125550199": {2, 250 * time.Millisecond}, // SMSBRIDGE_SENDER_RATES
	} {
		for i := range c.free {
			if at := reserve(from); !at.IsZero() {
				t.Fatalf("%s: send %d of %d told to wait until %v", from, i+1, c.free, at)
			}
		}
		if at := reserve(from); !at.Equal(start.Add(c.next)) {
			t.Errorf("%s: the next send waits until %v, want +%v", from, at.Sub(start), c.next)
		}
	}
}

func TestPacerSlowDownHoldsEverySendOfTheSender(t *testing.T) {
	p, clk := newTestPacer(t, nil)
	ctx := context.Background()
	until := clk.Now().Add(30 * time.Second)
	if err := p.SlowDown(ctx, "+18445550001", until); err != nil {
		t.Fatal(err)
	}
	for _, holder := range []string{"msg:1", "msg:2"} {
		at, err := p.Reserve(ctx, "+18445550001", holder)
		if err != nil || at.Before(until) {
			t.Fatalf("%s during the pause: go at %v (%v), want not before %v", holder, at, err, until)
		}
	}
	if at, _ := p.Reserve(ctx, "+18445550002", "msg:3"); !at.IsZero() {
		t.Fatalf("another sender is not paused: told to wait until %v", at)
	}
}

// A lane waiting its sender's turn, however many times, is not failing: it
// uses none of its attempts and is not backed off.
func TestEngineWaitingForABudgetUsesNoAttempts(t *testing.T) {
	h := newHarness(t)
	h.engine.cfg.MaxAttempts = 3
	calls := 0
	h.engine.Handle("test", "paced", func(ctx context.Context, ev *store.Event) error {
		calls++
		if calls <= 10 {
			return &paced{from: "+13125550100", at: h.st.Now().Add(5 * time.Millisecond)}
		}
		return nil
	})
	ctx := context.Background()
	if _, err := h.st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "e1", Type: "paced", Lane: "conv:x"}); err != nil {
		t.Fatal(err)
	}
	h.drain()
	var ev store.Event
	if err := h.st.DB().Where("external_id = ?", "e1").Take(&ev).Error; err != nil {
		t.Fatal(err)
	}
	if ev.Status != store.EventDone || ev.Attempts != 0 || calls != 11 {
		t.Fatalf("status %s after %d calls, %d attempts counted; want done, 11 calls, 0 attempts", ev.Status, calls, ev.Attempts)
	}
}

// A lane put off for its sender's turn is taken again at that time, not at
// the next poll: at 20 sends a second a 1 s poll would cap a sender at one.
func TestEngineTakesAPacedLaneAtItsTimeNotTheNextPoll(t *testing.T) {
	st, err := store.Open(context.Background(), testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng := NewEngine(st, slog.New(slog.DiscardHandler), EngineConfig{Workers: 1, PollInterval: time.Hour})
	done := make(chan struct{})
	calls := 0
	eng.Handle("test", "paced", func(ctx context.Context, ev *store.Event) error {
		if calls++; calls == 1 {
			return &paced{from: "+13125550100", at: st.Now().Add(50 * time.Millisecond)}
		}
		close(done)
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); eng.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	if _, err := st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "e1", Type: "paced", Lane: "conv:x"}); err != nil {
		t.Fatal(err)
	}
	eng.Notify()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a lane paced for 50ms was not taken again within 5s (the poll is an hour)")
	}
}

package pace

import (
	"context"
	"fmt"
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

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// newTestPacer paces on a store's budgets (the store is the Budgets the
// service uses), on a clock that stands still.
func newTestPacer(t *testing.T, rates SenderRates) (*Pacer, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 8, 20, 15, 0, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), testdb.URL(t), store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return NewPacer(st, rates, st.Now), clk
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

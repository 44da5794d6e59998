// Package pace keeps each sender of ours within the rate Telnyx takes from it,
// with token buckets kept in the store (shared by replicas). It owns sender
// kinds, their default rates and SMSBRIDGE_SENDER_RATES; it imports nothing
// of smsbridge (the store is reached through Budgets) and must not import
// gin, slack-go, webhooks or the Slack packages.
package pace

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Pacing: every send draws from its sender's budget first (invariants 6,
// 10 and 12). Telnyx takes only so many messages a second from one sender
// and answers the rest with 429 or 40318 (queue full); the budget keeps us
// under that, in the store, so several replicas together stay under it too.

// SenderKind is what Telnyx's per-sender throughput depends on.
type SenderKind int

const (
	// SenderLongCode is an E.164 number that is not toll-free: about 1
	// message a second outside 10DLC (US 10DLC campaigns get more; set it).
	SenderLongCode SenderKind = iota
	// SenderTollFree is +1 800/833/844/855/866/877/888: 20 a second.
	SenderTollFree
	// SenderShortCode is a 5–6 digit code: 1,000 a second.
	SenderShortCode
	// SenderAlphanumeric is a sender ID with a letter: about 1 per 10 s.
	SenderAlphanumeric
)

func (k SenderKind) String() string {
	switch k {
	case SenderTollFree:
		return "toll-free"
	case SenderShortCode:
		return "short code"
	case SenderAlphanumeric:
		return "alphanumeric"
	}
	return "long code"
}

var tollFreePrefixes = []string{"+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888"}

// SenderKindOf classifies a sender as Telnyx throttles it. Anything that is
// not recognisably toll-free, a short code or a sender ID counts as a long
// code, the slowest kind of number.
func SenderKindOf(from string) SenderKind {
	from = strings.TrimSpace(from)
	if strings.HasPrefix(from, "+") {
		for _, p := range tollFreePrefixes {
			if strings.HasPrefix(from, p) {
				return SenderTollFree
			}
		}
		return SenderLongCode
	}
	digits, letters := 0, 0
	for _, r := range from {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	switch {
	case letters > 0:
		return SenderAlphanumeric
	case digits == len(from) && (digits == 5 || digits == 6):
		return SenderShortCode
	}
	return SenderLongCode
}

// Rate is a sender's budget: PerSecond on average, Burst at once.
type Rate struct {
	PerSecond float64
	Burst     int
}

func (r Rate) String() string {
	if r.PerSecond >= 1 {
		return fmt.Sprintf("%g/s burst %d", r.PerSecond, r.Burst)
	}
	return fmt.Sprintf("%g/m burst %d", r.PerSecond*60, r.Burst)
}

// DefaultRate is Telnyx's default throughput for a kind of sender (shared
// DESIGN.md, "Telnyx throughput").
func DefaultRate(k SenderKind) Rate {
	switch k {
	case SenderTollFree:
		return Rate{PerSecond: 20, Burst: 20}
	case SenderShortCode:
		return Rate{PerSecond: 1000, Burst: 1000}
	case SenderAlphanumeric:
		return Rate{PerSecond: 0.1, Burst: 1}
	}
	return Rate{PerSecond: 1, Burst: 1}
}

// SenderRates overrides the default rate of particular senders (a 10DLC
// number with its campaign's throughput, a sender with a raised limit).
type SenderRates map[string]Rate

// ParseSenderRates reads SMSBRIDGE_SENDER_RATES: comma-separated
// sender=rate, the rate a number per second, minute or hour, optionally
// with a burst after a colon: "+18445550001=10/s,MyShop=6/m,+13125550100=75/m:5".
// Without a burst a sender may send one second's worth at once (at least 1).
func ParseSenderRates(s string) (SenderRates, error) {
	out := SenderRates{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fail := func(why string) (SenderRates, error) {
			return nil, fmt.Errorf("SMSBRIDGE_SENDER_RATES entry %q: %s; want sender=N/s, N/m or N/h, optionally :burst (e.g. +18445550001=10/s,MyShop=6/m)", part, why)
		}
		from, spec, ok := strings.Cut(part, "=")
		from, spec = strings.TrimSpace(from), strings.TrimSpace(spec)
		if !ok || from == "" || spec == "" {
			return fail("no sender or no rate")
		}
		spec, burstText, hasBurst := strings.Cut(spec, ":")
		num, unit, ok := strings.Cut(spec, "/")
		if !ok {
			return fail("the rate has no unit")
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(n > 0) || math.IsInf(n, 0) {
			return fail("the rate is not a positive number")
		}
		per := map[string]float64{"s": 1, "m": 60, "h": 3600}[strings.TrimSpace(unit)]
		if per == 0 {
			return fail("the unit is not s, m or h")
		}
		r := Rate{PerSecond: n / per, Burst: max(1, int(n/per))}
		if hasBurst {
			b, err := strconv.Atoi(strings.TrimSpace(burstText))
			if err != nil || b < 1 {
				return fail("the burst is not a whole number of at least 1")
			}
			r.Burst = b
		}
		if _, dup := out[from]; dup {
			return fail("the sender is named twice")
		}
		out[from] = r
	}
	return out, nil
}

// Budgets is what pacing needs of the store: shared token buckets.
type Budgets interface {
	ReserveToken(ctx context.Context, key, holder string, perSecond float64, burst int) (time.Duration, error)
	PauseBudget(ctx context.Context, key string, until time.Time) error
}

// Pacer keeps each sender within its rate, with budgets in the store.
type Pacer struct {
	budgets Budgets
	rates   SenderRates
	now     func() time.Time
}

// NewPacer paces senders at their kind's DefaultRate unless rates names
// them. now is the clock the budgets run on (the store's).
func NewPacer(b Budgets, rates SenderRates, now func() time.Time) *Pacer {
	return &Pacer{budgets: b, rates: rates, now: now}
}

// RateOf is the rate from is paced at.
func (p *Pacer) RateOf(from string) Rate {
	if r, ok := p.rates[from]; ok {
		return r
	}
	return DefaultRate(SenderKindOf(from))
}

func budgetKey(from string) string { return "sender:" + from }

// Reserve asks for a send from from, for holder (the outbox entry, which
// keeps its place when told to wait). The zero time means go now;
// otherwise come back at retryAt, which is then the holder's turn.
func (p *Pacer) Reserve(ctx context.Context, from, holder string) (retryAt time.Time, err error) {
	r := p.RateOf(from)
	wait, err := p.budgets.ReserveToken(ctx, budgetKey(from), holder, r.PerSecond, r.Burst)
	if err != nil || wait <= 0 {
		return time.Time{}, err
	}
	return p.now().Add(wait), nil
}

// SlowDown pauses every send from from until until: Telnyx said it is over
// its limit (429's reset, or a full queue).
func (p *Pacer) SlowDown(ctx context.Context, from string, until time.Time) error {
	return p.budgets.PauseBudget(ctx, budgetKey(from), until)
}

// QueueFullPause is how long a sender rests after Telnyx's 40318 (its queue
// for the sender is full), which comes with no reset time.
const QueueFullPause = 30 * time.Second

// Waiting is a handler's answer that its work waits for its turn in a
// budget (a sender's; or a Slack channel's, bridge/inbound/coalesce.go). It is not
// a failure: the engine waits until At without counting an
// attempt or backing off (lanes.Engine).
type Waiting struct {
	From string
	At   time.Time
}

func (p *Waiting) Error() string {
	return fmt.Sprintf("waiting for the sending budget of %s until %s", p.From, p.At.Format(time.RFC3339Nano))
}
func (p *Waiting) RetryAt() time.Time { return p.At }
func (p *Waiting) NotAFailure() bool  { return true }

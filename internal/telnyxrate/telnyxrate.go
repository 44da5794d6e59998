// Package telnyxrate is Telnyx's per-sender throughput as the fake Telnyx
// (internal/faketelnyx) enforces it: a send from a sender over its rate is
// refused (the fake answers 429, code 10011, with Retry-After and
// x-ratelimit-reset) and takes nothing. The defaults follow the kind of
// sender (Telnyx's figures): a long code 1/s, toll-free 20/s, a short code
// 1,000/s, an alphanumeric sender ID 1 per 10 s, each with a burst of one
// second's worth (at least 1) plus 100 ms of slack for network jitter
// between a client's pacing and its requests' arrival (at least one
// message).
//
// It imports nothing of smsbridge but internal/gcra (internal/layout
// checks it).
package telnyxrate

import (
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/smsbridge/smsbridge/internal/gcra"
)

// Rate is a sender's throughput.
type Rate struct {
	PerSecond float64
	Burst     int // sends allowed at once
}

// Default is the rate for from, by the kind of sender.
func Default(from string) Rate {
	per := 1.0 // long code
	switch {
	case isTollFree(from):
		per = 20
	case isShortCode(from):
		per = 1000
	case strings.IndexFunc(from, unicode.IsLetter) >= 0:
		per = 0.1
	}
	return Rate{PerSecond: per, Burst: max(1, int(per)) + max(1, int(math.Ceil(per/10)))}
}

func isTollFree(from string) bool {
	for _, p := range []string{"+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888"} {
		if strings.HasPrefix(from, p) {
			return true
		}
	}
	return false
}

func isShortCode(from string) bool {
	if len(from) < 5 || len(from) > 6 {
		return false
	}
	for _, r := range from {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Limits are the senders' rates and the turns their sends have taken.
// Change the fields before the first send (Set later); its owner's lock
// guards it.
type Limits struct {
	Rates  map[string]Rate        // by sender, instead of RateOf's
	RateOf func(from string) Rate // every other sender's rate
	Off    bool                   // no limits at all
	turns  gcra.Limiter
}

// New is every sender at its kind's default.
func New() *Limits {
	return &Limits{Rates: map[string]Rate{}, RateOf: Default}
}

// Set changes from's rate; its turns so far are forgotten.
func (l *Limits) Set(from string, r Rate) {
	l.Rates[from] = r
	l.turns.Forget(from)
}

// Over reports whether a send from from, arriving at now, is over its
// rate, with the rate and how long until the send would have been
// allowed. A send within its rate takes its turn; one over it takes
// nothing. Sends without a from (a number pool) are not limited.
func (l *Limits) Over(from string, now time.Time) (rate Rate, wait time.Duration, over bool) {
	if l.Off || from == "" {
		return Rate{}, 0, false
	}
	rate, ok := l.Rates[from]
	if !ok {
		rate = l.RateOf(from)
	}
	interval := time.Duration(float64(time.Second) / rate.PerSecond)
	tau := interval * time.Duration(max(rate.Burst, 1)-1)
	wait = l.turns.Take(from, interval, tau, now)
	return rate, wait, wait > 0
}

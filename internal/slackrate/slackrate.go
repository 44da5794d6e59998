// Package slackrate holds Slack's rate limits as the fake Slack
// (internal/fakeslack) enforces them, beside what Slack refuses in a
// payload (internal/slacklimits). Posting into a channel
// (chat.postMessage, and files.completeUploadExternal sharing files into
// one) is held to DefaultPostRate per channel with no burst allowance:
// Slack documents about one message a second per channel and promises no
// burst, so the fake gives none. Other methods are limited by their Web
// API tier, per method for the whole workspace: chat.update and
// reactions.add are Tier 3 (about 50 a minute), reactions.remove Tier 2
// (about 20 a minute); Slack lets tiers burst a little (TierBurst). A call
// over its limit is answered HTTP 429 with Retry-After (whole seconds,
// rounded up), which slack-go returns as *slack.RateLimitedError.
//
// The only slack is JitterSlack: a call may arrive that much before its
// turn, for the network and scheduling between a client's pacing and its
// request's arrival. It is no burst: the long-run rate is exact, and two
// posts never arrive closer than interval minus the slack.
//
// It imports nothing of smsbridge but internal/gcra (internal/layout
// checks it).
package slackrate

import (
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/internal/gcra"
)

// The limits' defaults.
const (
	DefaultPostRate = 1.0 // posts per second per channel
	JitterSlack     = 100 * time.Millisecond
	TierBurst       = 5
)

// DefaultMethodRates are the per-minute tiers the fake enforces.
var DefaultMethodRates = map[string]float64{
	"chat.update":      50, // Tier 3
	"reactions.add":    50, // Tier 3
	"reactions.remove": 20, // Tier 2
}

// Limits are one workspace's limits and the turns its calls have taken.
// Change the fields before the first call (SetPostRate later); like
// gcra.Limiter it is guarded by its owner's lock.
type Limits struct {
	PostRate    float64            // posts per second per channel
	MethodRates map[string]float64 // calls per minute, by method
	Off         bool               // no limits at all
	turns       gcra.Limiter
}

// New returns Slack's default limits.
func New() *Limits {
	l := &Limits{PostRate: DefaultPostRate, MethodRates: map[string]float64{}}
	for m, r := range DefaultMethodRates {
		l.MethodRates[m] = r
	}
	return l
}

// SetPostRate changes the per-channel post rate; every turn taken so far
// is forgotten.
func (l *Limits) SetPostRate(perSecond float64) {
	l.PostRate = perSecond
	l.turns.Reset()
}

// Over reports whether a call of method with params, arriving at now, is
// over its limit, and if so the Retry-After to answer in whole seconds
// (rounded up, at least 1). A call within its limit takes its turn; one
// over it takes nothing.
func (l *Limits) Over(method string, params url.Values, now time.Time) (retryAfter int, over bool) {
	key, perSecond, burst := l.key(method, params)
	if key == "" || !(perSecond > 0) {
		return 0, false
	}
	interval := time.Duration(float64(time.Second) / perSecond)
	tau := interval*time.Duration(burst-1) + JitterSlack
	wait := l.turns.Take(key, interval, tau, now)
	if wait == 0 {
		return 0, false
	}
	return max(1, int(math.Ceil(wait.Seconds()))), true
}

// key is the bucket a call draws from and its rate (calls per second,
// burst), or "" when the call is not limited.
func (l *Limits) key(method string, params url.Values) (key string, perSecond float64, burst int) {
	if l.Off {
		return "", 0, 0
	}
	switch method {
	case "chat.postMessage":
		return "post:" + params.Get("channel"), l.PostRate, 1
	case "files.completeUploadExternal":
		channel := params.Get("channel_id")
		if channel == "" {
			channel, _, _ = strings.Cut(params.Get("channels"), ",")
		}
		if channel == "" {
			return "", 0, 0 // a private upload posts nowhere
		}
		return "post:" + channel, l.PostRate, 1
	}
	if per, ok := l.MethodRates[method]; ok {
		return "method:" + method, per / 60, TierBurst
	}
	return "", 0, 0
}

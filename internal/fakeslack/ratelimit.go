package fakeslack

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Rate limits, as Slack enforces them. Posting into a channel
// (chat.postMessage, and files.completeUploadExternal sharing files into
// one) is held to DefaultPostRate per channel with no burst allowance:
// Slack documents about one message a second per channel and promises no
// burst, so the fake gives none. Other methods are limited by their Web
// API tier, per method for the whole workspace: chat.update and
// reactions.add are Tier 3 (about 50 a minute), reactions.remove Tier 2
// (about 20 a minute); Slack lets tiers burst a little (TierBurst).
// A call over its limit is answered HTTP 429 with Retry-After (whole
// seconds, rounded up), which slack-go returns as *slack.RateLimitedError,
// takes nothing, and is recorded (RateLimited).
//
// The only slack is JitterSlack: a call may arrive that much before its
// turn, for the network and scheduling between a client's pacing and its
// request's arrival. It is no burst: the long-run rate is exact, and two
// posts never arrive closer than interval minus the slack.
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

// Option configures a Server (New).
type Option func(*Server)

// WithPostRate sets the posts per second per channel. Tests that post
// faster than a real channel takes on purpose (many conversations in one
// channel, a fake clock that does not pace in wall time) set it and say so.
func WithPostRate(perSecond float64) Option {
	return func(s *Server) { s.postRate = perSecond }
}

// WithMethodRate sets method's tier, in calls per minute.
func WithMethodRate(method string, perMinute float64) Option {
	return func(s *Server) { s.methodRates[method] = perMinute }
}

// WithoutRateLimits turns every limit off: for tests on a fake clock, whose
// pacing does not happen in wall time, and that test something else.
func WithoutRateLimits() Option {
	return func(s *Server) { s.unlimited = true }
}

// SetPostRate changes the per-channel post rate for the rest of the test.
func (s *Server) SetPostRate(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postRate = perSecond
	clear(s.tat)
}

// RateLimited returns the calls the fake refused with 429 for a rate (not
// the failures injected with FailNext), in order.
func (s *Server) RateLimited() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.limited...)
}

// rateKey is the bucket a call draws from and its rate (calls per
// second, burst), or "" when the call is not limited.
func (s *Server) rateKeyLocked(method string, req *request) (key string, perSecond float64, burst int) {
	if s.unlimited {
		return "", 0, 0
	}
	switch method {
	case "chat.postMessage":
		return "post:" + req.params.Get("channel"), s.postRate, 1
	case "files.completeUploadExternal":
		channel := req.params.Get("channel_id")
		if channel == "" {
			channel, _, _ = strings.Cut(req.params.Get("channels"), ",")
		}
		if channel == "" {
			return "", 0, 0 // a private upload posts nowhere
		}
		return "post:" + channel, s.postRate, 1
	}
	if per, ok := s.methodRates[method]; ok {
		return "method:" + method, per / 60, TierBurst
	}
	return "", 0, 0
}

// overRateLocked reports whether the call is over its limit (GCRA on the
// wall clock); if so it records it and returns the Retry-After in seconds.
func (s *Server) overRateLocked(call Call, req *request) (retryAfter string, over bool) {
	key, perSecond, burst := s.rateKeyLocked(call.Method, req)
	if key == "" || !(perSecond > 0) {
		return "", false
	}
	interval := time.Duration(float64(time.Second) / perSecond)
	tau := interval*time.Duration(burst-1) + JitterSlack
	now := time.Now()
	tat := s.tat[key]
	if tat.Before(now) {
		tat = now
	}
	if allow := tat.Add(-tau); allow.After(now) {
		secs := max(1, int(math.Ceil(allow.Sub(now).Seconds())))
		call.Failure = &Failure{Status: http.StatusTooManyRequests, RetryAfter: fmt.Sprint(secs)}
		s.limited = append(s.limited, call)
		s.calls = append(s.calls, call)
		return fmt.Sprint(secs), true
	}
	s.tat[key] = tat.Add(interval)
	return "", false
}

package fakeslack

import (
	"fmt"
	"net/http"
	"time"

	"github.com/smsbridge/smsbridge/internal/slackrate"
)

// Rate limits, as Slack enforces them (package slackrate): about one post
// a second per channel with no burst, other methods by their Web API
// tier, 100 ms of slack for jitter. A call over its limit is answered HTTP
// 429 with Retry-After, takes nothing, and is recorded (RateLimited).
const (
	DefaultPostRate = slackrate.DefaultPostRate // posts per second per channel
	JitterSlack     = slackrate.JitterSlack
	TierBurst       = slackrate.TierBurst
)

// DefaultMethodRates are the per-minute tiers the fake enforces.
var DefaultMethodRates = slackrate.DefaultMethodRates

// Option configures a Server (New).
type Option func(*Server)

// WithPostRate sets the posts per second per channel. Tests that post
// faster than a real channel takes on purpose (many conversations in one
// channel, a fake clock that does not pace in wall time) set it and say so.
func WithPostRate(perSecond float64) Option {
	return func(s *Server) { s.rates.PostRate = perSecond }
}

// WithMethodRate sets method's tier, in calls per minute.
func WithMethodRate(method string, perMinute float64) Option {
	return func(s *Server) { s.rates.MethodRates[method] = perMinute }
}

// WithoutRateLimits turns every limit off: for tests on a fake clock, whose
// pacing does not happen in wall time, and that test something else.
func WithoutRateLimits() Option {
	return func(s *Server) { s.rates.Off = true }
}

// SetPostRate changes the per-channel post rate for the rest of the test.
func (s *Server) SetPostRate(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates.SetPostRate(perSecond)
}

// RateLimited returns the calls the fake refused with 429 for a rate (not
// the failures injected with FailNext), in order.
func (s *Server) RateLimited() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.limited...)
}

// overRateLocked reports whether the call is over its limit (on the wall
// clock); if so it records it and returns the Retry-After in seconds.
func (s *Server) overRateLocked(call Call, req *request) (retryAfter string, over bool) {
	secs, over := s.rates.Over(call.Method, req.params, time.Now())
	if !over {
		return "", false
	}
	call.Failure = &Failure{Status: http.StatusTooManyRequests, RetryAfter: fmt.Sprint(secs)}
	s.limited = append(s.limited, call)
	s.calls = append(s.calls, call)
	return fmt.Sprint(secs), true
}

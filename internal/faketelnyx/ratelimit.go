package faketelnyx

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/smsbridge/smsbridge/internal/telnyxrate"
)

// Per-sender throughput, as Telnyx enforces it (package telnyxrate): a
// send from a sender over its rate is answered 429 (code 10011) with
// Retry-After and x-ratelimit-reset, and nothing is queued. The defaults
// follow the kind of sender (DefaultSenderRate). Sends without a from
// (number pool) are not limited.

// SenderRate is a sender's throughput at the fake.
type SenderRate = telnyxrate.Rate

// DefaultSenderRate is the fake's rate for from, by the kind of sender: a
// long code 1/s, toll-free 20/s, a short code 1,000/s, an alphanumeric
// sender ID 1 per 10 s, each with a burst of one second's worth plus
// 100 ms of slack.
func DefaultSenderRate(from string) SenderRate { return telnyxrate.Default(from) }

// WithSenderRate sets from's throughput (instead of its kind's default).
func WithSenderRate(from string, r SenderRate) Option {
	return func(s *Server) { s.rates.Rates[from] = r }
}

// WithSenderRates sets the throughput of every sender not named with
// WithSenderRate (for example generous rates for tests about something
// else, or every sender scaled to 50/s for a quick load run).
func WithSenderRates(f func(from string) SenderRate) Option {
	return func(s *Server) { s.rates.RateOf = f }
}

// WithoutSenderLimits turns the per-sender limits off.
func WithoutSenderLimits() Option {
	return func(s *Server) { s.rates.Off = true }
}

// SetSenderRate changes from's throughput for the rest of the test.
func (s *Server) SetSenderRate(from string, r SenderRate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates.Set(from, r)
}

// RateLimited returns the sends the fake refused with 429 for their
// sender's rate, in order.
func (s *Server) RateLimited() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.limited...)
}

// sendRoutes are the routes that send a message now from a sender.
var sendRoutes = map[string]bool{
	"POST /messages": true, "POST /messages/long_code": true, "POST /messages/short_code": true,
	"POST /messages/alphanumeric_sender_id": true, "POST /messages/group_mms": true,
}

// overRate reports whether r is a send over its sender's rate (on the
// wall clock), and if so records it and returns the 429 to answer.
func (s *Server) overRate(r Request) (Response, bool) {
	if !sendRoutes[r.Route] {
		return Response{}, false
	}
	from, _ := r.BodyMap()["from"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	rate, wait, over := s.rates.Over(from, time.Now())
	if !over {
		return Response{}, false
	}
	s.limited = append(s.limited, r)
	secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
	resp := Error(http.StatusTooManyRequests, "10011", "Too many requests",
		fmt.Sprintf("the sender is over its throughput of %g messages per second", rate.PerSecond))
	resp.Header = http.Header{"Retry-After": {secs}, "X-Ratelimit-Reset": {secs},
		"X-Ratelimit-Limit": {strconv.Itoa(max(1, int(rate.PerSecond)))}, "X-Ratelimit-Remaining": {"0"}}
	return resp, true
}

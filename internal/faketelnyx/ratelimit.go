package faketelnyx

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Per-sender throughput, as Telnyx enforces it: a send from a sender over
// its rate is answered 429 (code 10011) with Retry-After and
// x-ratelimit-reset, and nothing is queued. The defaults follow the kind of
// sender (Telnyx's figures): a long code 1/s, toll-free 20/s, a short code
// 1,000/s, an alphanumeric sender ID 1 per 10 s, each with a burst of one
// second's worth (at least 1) plus 100 ms of slack for network jitter
// between a client's pacing and its requests' arrival (at least one
// message). Sends without a from (number pool) are not limited.

// SenderRate is a sender's throughput at the fake.
type SenderRate struct {
	PerSecond float64
	Burst     int // sends allowed at once
}

// DefaultSenderRate is the fake's rate for from, by the kind of sender.
func DefaultSenderRate(from string) SenderRate {
	per := 1.0 // long code
	switch {
	case isTollFree(from):
		per = 20
	case isShortCode(from):
		per = 1000
	case strings.IndexFunc(from, unicode.IsLetter) >= 0:
		per = 0.1
	}
	return SenderRate{PerSecond: per, Burst: max(1, int(per)) + max(1, int(math.Ceil(per/10)))}
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

// WithSenderRate sets from's throughput (instead of its kind's default).
func WithSenderRate(from string, r SenderRate) Option {
	return func(s *Server) { s.rates[from] = r }
}

// WithSenderRates sets the throughput of every sender not named with
// WithSenderRate (for example generous rates for tests about something
// else, or every sender scaled to 50/s for a quick load run).
func WithSenderRates(f func(from string) SenderRate) Option {
	return func(s *Server) { s.rateOf = f }
}

// WithoutSenderLimits turns the per-sender limits off.
func WithoutSenderLimits() Option {
	return func(s *Server) { s.unlimited = true }
}

// SetSenderRate changes from's throughput for the rest of the test.
func (s *Server) SetSenderRate(from string, r SenderRate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rates[from] = r
	delete(s.tat, from)
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

// overRate reports whether r is a send over its sender's rate, and if so
// records it and returns the 429 to answer. It uses GCRA on the wall clock:
// a refused send takes nothing.
func (s *Server) overRate(r Request) (Response, bool) {
	if !sendRoutes[r.Route] {
		return Response{}, false
	}
	from, _ := r.BodyMap()["from"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unlimited || from == "" {
		return Response{}, false
	}
	rate, ok := s.rates[from]
	if !ok {
		rate = s.rateOf(from)
	}
	interval := time.Duration(float64(time.Second) / rate.PerSecond)
	tau := interval * time.Duration(max(rate.Burst, 1)-1)
	now := time.Now()
	tat := s.tat[from]
	if tat.Before(now) {
		tat = now
	}
	if allow := tat.Add(-tau); allow.After(now) {
		s.limited = append(s.limited, r)
		wait := allow.Sub(now)
		secs := strconv.Itoa(int(math.Ceil(wait.Seconds())))
		resp := Error(http.StatusTooManyRequests, "10011", "Too many requests",
			fmt.Sprintf("the sender is over its throughput of %g messages per second", rate.PerSecond))
		resp.Header = http.Header{"Retry-After": {secs}, "X-Ratelimit-Reset": {secs},
			"X-Ratelimit-Limit": {strconv.Itoa(max(1, int(rate.PerSecond)))}, "X-Ratelimit-Remaining": {"0"}}
		return resp, true
	}
	s.tat[from] = tat.Add(interval)
	return Response{}, false
}

// Package gcra is the generic cell rate algorithm the fakes hold their
// callers to: Slack's per-channel and per-method limits
// (internal/slackrate) and Telnyx's per-sender throughput
// (internal/telnyxrate). Each key has a theoretical arrival time on the
// wall clock; a call that arrives more than the tolerance before its turn
// is refused and takes nothing, so a refused call never costs a later one.
//
// It is hand-written rather than golang.org/x/time/rate because the fakes'
// tolerance is not a whole number of calls (Slack's limits allow 100 ms of
// jitter and no burst) and a refusal must leave the bucket exactly as it
// was. It is not safe for concurrent use: its owner's lock guards it. It
// imports nothing of smsbridge (internal/layout checks it).
package gcra

import "time"

// Limiter keeps each key's theoretical arrival time. The zero value is
// ready to use.
type Limiter struct {
	tat map[string]time.Time
}

// Take lets a call under key through at now, at one call per interval
// with tau of tolerance (burst-1 intervals, plus any slack for jitter). It
// returns 0 when the call may go (it then takes its turn), or how long
// until it would have been allowed (it then takes nothing).
func (l *Limiter) Take(key string, interval, tau time.Duration, now time.Time) (wait time.Duration) {
	if l.tat == nil {
		l.tat = map[string]time.Time{}
	}
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	if allow := tat.Add(-tau); allow.After(now) {
		return allow.Sub(now)
	}
	l.tat[key] = tat.Add(interval)
	return 0
}

// Forget drops key's turns: its next call starts afresh.
func (l *Limiter) Forget(key string) { delete(l.tat, key) }

// Reset drops every key's turns.
func (l *Limiter) Reset() { clear(l.tat) }

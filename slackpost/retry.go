package slackpost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
)

// RetryPolicy bounds the retries made inside one Poster call. What is left
// failing after them is returned as a transient error, so the durable
// pipeline retries later: after a 429 it carries bridge.RetryAt with Slack's
// Retry-After, so the lane waits that long. ok:false answers are not
// retried and come back permanent.
type RetryPolicy struct {
	Attempts      int           // attempts in all, at least 1
	Initial       time.Duration // first backoff after a 5xx or network error
	Max           time.Duration // cap on one backoff
	MaxRetryAfter time.Duration // a longer Retry-After is not waited for in-call
}

// DefaultRetryPolicy keeps a call within about half a minute.
var DefaultRetryPolicy = RetryPolicy{Attempts: 4, Initial: 500 * time.Millisecond, Max: 8 * time.Second, MaxRetryAfter: 30 * time.Second}

// transientSlackErrors are ok:false codes that mean "try again", the same as
// a 429 or a 5xx. Every other ok:false code is a request Slack will keep
// refusing (channel_not_found, not_in_channel, invalid_blocks, invalid_auth...).
var transientSlackErrors = map[string]bool{
	"ratelimited":         true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
}

// classify says whether err from one attempt is worth another, and returns
// the error to give the caller: permanent failures are wrapped with
// bridge.Permanent.
func classify(err error) (retry bool, _ error) {
	if err == nil {
		return false, nil
	}
	var (
		rl *slack.RateLimitedError
		sc slack.StatusCodeError
		se slack.SlackErrorResponse
		ne net.Error
	)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return false, err
	case errors.As(err, &rl):
		return true, err
	case errors.As(err, &sc):
		if sc.Code >= 500 || sc.Code == http.StatusTooManyRequests || sc.Code == http.StatusRequestTimeout {
			return true, err
		}
		return false, bridge.Permanent(err)
	case errors.As(err, &se):
		if transientSlackErrors[se.Err] {
			return true, err
		}
		return false, bridge.Permanent(fmt.Errorf("slack: %w", err))
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true, err
	}
	// Anything else (a response that does not decode...) is not retried
	// in-call but left transient: the pipeline will try again later.
	return false, err
}

// sender makes one attempt of a Slack call.
type sender func(ctx context.Context) error

// retry runs send until it succeeds, fails for good, or the policy is spent.
// It owns all the waiting, like alertmanager's notify retry stage.
func (p *Poster) retry(ctx context.Context, op string, send sender) error {
	pol := p.policy
	for attempt := 1; ; attempt++ {
		again, err := classify(send(ctx))
		if err == nil {
			return nil
		}
		err = p.redact(err)
		if !again {
			return fmt.Errorf("%s: %w", op, err)
		}
		// After a 429, whatever this call gives up with tells the pipeline
		// when Slack will take the next one.
		var rl *slack.RateLimitedError
		limited := errors.As(err, &rl)
		later := func(err error) error {
			if limited {
				return bridge.RetryAt(err, p.now().Add(rl.RetryAfter))
			}
			return err
		}
		if attempt >= pol.Attempts {
			return later(fmt.Errorf("%s: giving up after %d attempts: %w", op, attempt, err))
		}
		wait := p.backoff(attempt)
		if limited {
			if rl.RetryAfter > pol.MaxRetryAfter {
				return later(fmt.Errorf("%s: rate limited for %s, longer than this call waits: %w", op, rl.RetryAfter, err))
			}
			wait = max(wait, rl.RetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && p.now().Add(wait).After(dl) {
			return later(fmt.Errorf("%s: next attempt in %s would pass the deadline: %w", op, wait, err))
		}
		p.log.WarnContext(ctx, "slack call failed, retrying", "op", op, "attempt", attempt, "wait", wait, "err", err)
		if serr := p.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%s: %w (while waiting to retry after: %w)", op, serr, err)
		}
	}
}

// backoff is exponential with jitter: Initial·2^(attempt-1), capped at Max,
// then a random part of up to a quarter added so that replicas do not retry in step.
func (p *Poster) backoff(attempt int) time.Duration {
	d := p.policy.Initial << (attempt - 1)
	if d <= 0 || d > p.policy.Max {
		d = p.policy.Max
	}
	if p.jitter && d > 0 {
		d += rand.N(d/4 + 1)
	}
	return d
}

// redact keeps the token out of any error text, whatever the error came from.
func (p *Poster) redact(err error) error {
	if p.token == "" || !strings.Contains(err.Error(), p.token) {
		return err
	}
	return &redactedError{err: err, token: p.token}
}

type redactedError struct {
	err   error
	token string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.token, "xoxb-REDACTED")
}
func (e *redactedError) Unwrap() error { return e.err }

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

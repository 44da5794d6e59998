package telnyx

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/smsbridge/smsbridge/internal/netguard"
)

// RetryPolicy says how often and how patiently a call is retried.
//
// What is retried, so that a message can never be sent twice:
//
//   - Every method: a 429 (after the wait Telnyx asks for in Retry-After or
//     x-ratelimit-reset, else the backoff), and a transport failure that
//     happened before any of the request was written (connection refused,
//     DNS, TLS handshake). Telnyx has not seen such a request.
//   - GET and DELETE only: a 5xx and a transport failure after the request
//     was written (reset, timeout). GETs are safe. DELETE is used only to
//     cancel a scheduled message, which is idempotent: cancelling twice
//     leaves the message cancelled (a second attempt may answer 4xx, which is
//     returned as is).
//   - POST and PATCH are never resent after a 5xx or after the request may
//     have been written: the error is then ambiguous (IsAmbiguous).
//
// The context bounds everything: its deadline or cancellation ends waiting
// and attempts.
type RetryPolicy struct {
	MaxAttempts int           // attempts per call, ≥ 1
	BaseBackoff time.Duration // first backoff; doubles per attempt
	MaxBackoff  time.Duration // cap of one backoff
	// MaxRateLimitWait is the longest a 429 is waited out; a longer reset
	// returns the 429 to the caller instead.
	MaxRateLimitWait time.Duration
	// RateLimitsToCaller returns every 429 at once, with its reset, rather
	// than waiting it out: for a caller that owns the waiting (the outbox
	// slows the whole sender and waits in the store, so one 429 holds back
	// every conversation of that number, not only this call).
	RateLimitsToCaller bool
}

// SendPolicy is DefaultRetryPolicy for the outbox's sends: 429s go back to
// the caller.
func SendPolicy() RetryPolicy {
	p := DefaultRetryPolicy()
	p.RateLimitsToCaller = true
	return p
}

// DefaultRetryPolicy is 4 attempts, 500 ms base backoff, 30 s cap, 429s
// waited out up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseBackoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second, MaxRateLimitWait: 60 * time.Second}
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseBackoff
	for i := 1; i < attempt && d < p.maxBackoff(); i++ {
		d *= 2
	}
	return min(d, p.maxBackoff())
}

func (p RetryPolicy) maxBackoff() time.Duration {
	if p.MaxBackoff <= 0 {
		return 30 * time.Second
	}
	return p.MaxBackoff
}

// request is one HTTP exchange, API or media.
type request struct {
	method string
	url    string
	path   string // for errors: no host, no query
	body   []byte
	auth   bool  // send the API key (only ever to the base URL)
	limit  int64 // most bytes of body to read; more is an error
	// hc, when set, is used instead of the client's (media fetches).
	hc *http.Client
}

func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodDelete
}

// execute sends r, retrying per the policy, and returns the 2xx response
// with its body read (at most r.limit bytes). Any other status is an
// *APIError; failures without an answer are *transportError.
func (c *Client) execute(ctx context.Context, r request) (*http.Response, []byte, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			if lastErr != nil && IsAmbiguous(lastErr) {
				return nil, nil, lastErr
			}
			return nil, nil, &transportError{method: r.method, path: r.path, err: err}
		}
		resp, body, written, err := c.attempt(ctx, r)
		if err == nil {
			return resp, body, nil
		}
		lastErr = err
		if attempt >= c.retry.MaxAttempts {
			return nil, nil, err
		}
		wait, retry := c.shouldRetry(r.method, err, written, attempt)
		if !retry {
			return nil, nil, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Waiting would outlive the caller's deadline (real time, as
			// context deadlines are): give up now.
			return nil, nil, err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, nil, err
		}
	}
}

// shouldRetry decides on a failed attempt: see RetryPolicy.
func (c *Client) shouldRetry(method string, err error, written bool, attempt int) (time.Duration, bool) {
	if ae, ok := asAPIError(err); ok {
		switch {
		case ae.StatusCode == http.StatusTooManyRequests && c.retry.RateLimitsToCaller:
			return 0, false
		case ae.StatusCode == http.StatusTooManyRequests:
			if !ae.RateLimitReset.IsZero() {
				wait := ae.RateLimitReset.Sub(c.now())
				if wait > c.retry.MaxRateLimitWait && c.retry.MaxRateLimitWait > 0 {
					return 0, false
				}
				if wait > 0 {
					return wait, true
				}
			}
			return c.retry.backoff(attempt), true
		case ae.StatusCode >= 500 && idempotent(method):
			return c.retry.backoff(attempt), true
		}
		return 0, false
	}
	var te *transportError
	if !errors.As(err, &te) || errors.Is(err, ErrTooLarge) {
		// Too large is as large the next time: fetching it again only
		// downloads it again.
		return 0, false
	}
	if errors.Is(te.err, context.Canceled) || errors.Is(te.err, context.DeadlineExceeded) {
		return 0, false
	}
	if !written || idempotent(method) {
		return c.retry.backoff(attempt), true
	}
	return 0, false
}

// attempt sends r once. written reports whether any of the request may have
// reached the server: it turns true as soon as the transport starts writing
// headers on a connection, so a failure after that is never taken for "not
// sent".
func (c *Client) attempt(ctx context.Context, r request) (resp *http.Response, body []byte, written bool, err error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteHeaderField: func(string, []string) { wrote.Store(true) },
		WroteHeaders:     func() { wrote.Store(true) },
		WroteRequest:     func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	}
	tctx := httptrace.WithClientTrace(ctx, trace)
	req, err := http.NewRequestWithContext(tctx, r.method, r.url, newBodyReader(r.body))
	if err != nil {
		return nil, nil, false, invalidf("%s %s: %v", r.method, r.path, c.redact(err.Error()))
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if !r.auth {
		req.Header.Set("Accept", "*/*")
	}
	req.Header.Set("User-Agent", c.userAgent)
	if r.auth {
		req.Header.Set("Authorization", "Bearer "+c.key.v)
	}
	hc := c.hc
	if r.hc != nil {
		hc = r.hc
	}
	resp, err = hc.Do(req)
	if err != nil {
		var refused *netguard.RefusedError
		if errors.As(err, &refused) {
			// Refused here, before anything was sent: permanent, never
			// retried.
			return nil, nil, false, fmt.Errorf("%w: %w", ErrInvalidRequest, refused)
		}
		w := wrote.Load()
		var tlsErr *tls.RecordHeaderError
		if errors.As(err, &tlsErr) {
			w = false // the server does not speak TLS: nothing of ours was read
		}
		return nil, nil, w, &transportError{method: r.method, path: r.path, written: w, err: fmt.Errorf("%s", c.redact(unwrapURLError(err)))}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 && resp.ContentLength > r.limit {
		// Announced too large: refuse without reading it.
		return nil, nil, true, &transportError{method: r.method, path: r.path, written: true, err: fmt.Errorf("%w: answer of %d bytes, larger than %d", ErrTooLarge, resp.ContentLength, r.limit)}
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, r.limit+1))
	if rerr != nil {
		return nil, nil, true, &transportError{method: r.method, path: r.path, written: true, err: fmt.Errorf("reading %d answer: %w", resp.StatusCode, rerr)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, true, c.apiError(r, resp, body)
	}
	if int64(len(body)) > r.limit {
		return nil, nil, true, &transportError{method: r.method, path: r.path, written: true, err: fmt.Errorf("%w: answer larger than %d bytes", ErrTooLarge, r.limit)}
	}
	return resp, body, true, nil
}

// ErrTooLarge is returned (wrapped) when an answer or media exceeds its limit.
var ErrTooLarge = errors.New("telnyx: body too large")

// unwrapURLError drops the *url.Error wrapper, whose text repeats the whole
// URL (query included, which may hold phone numbers).
func unwrapURLError(err error) string {
	type unwrapper interface{ Unwrap() error }
	var ue interface {
		unwrapper
		Timeout() bool
	}
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

func (c *Client) apiError(r request, resp *http.Response, body []byte) *APIError {
	ae := &APIError{
		StatusCode: resp.StatusCode,
		Method:     r.method,
		Path:       r.path,
		RequestID:  resp.Header.Get("X-Request-Id"),
	}
	var parsed struct {
		Errors []ErrorEntry `json:"errors"`
		ErrorEntry
	}
	if json.Unmarshal(body, &parsed) == nil {
		ae.Errors = parsed.Errors
		if len(ae.Errors) == 0 && parsed.Code != "" {
			// A few operations answer one bare messaging_Error.
			ae.Errors = []ErrorEntry{parsed.ErrorEntry}
		}
	} else if len(body) > 0 && len(body) < 512 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/") {
		ae.Errors = []ErrorEntry{{Title: c.redact(strings.TrimSpace(string(body)))}}
	}
	for i := range ae.Errors {
		ae.Errors[i].Detail = c.redact(ae.Errors[i].Detail)
		ae.Errors[i].Title = c.redact(ae.Errors[i].Title)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		ae.RateLimitReset = rateLimitReset(resp.Header, c.now())
	}
	return ae
}

// rateLimitReset reads when a rate limit resets: Retry-After (seconds or an
// HTTP date), else x-ratelimit-reset (seconds from now, or a Unix time when
// large). Zero when neither is usable.
func rateLimitReset(h http.Header, now time.Time) time.Time {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return now.Add(time.Duration(secs * float64(time.Second)))
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	if v := strings.TrimSpace(h.Get("X-Ratelimit-Reset")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			if secs > 1e9 { // a Unix timestamp
				return time.Unix(int64(secs), 0)
			}
			return now.Add(time.Duration(secs * float64(time.Second)))
		}
	}
	return time.Time{}
}

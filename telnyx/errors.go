package telnyx

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Telnyx error codes that callers branch on. Codes are strings on the wire
// (`"code": "40300"`), so they are strings here too.
const (
	CodeOptedOut = "40300" // the recipient replied STOP: do not text them
	// CodeQueueFull: the sender's queue at Telnyx is full (it is over its
	// throughput for hours' worth); nothing was queued, slow down.
	CodeQueueFull = "40318"
)

// ErrorEntry is one element of the `errors` array Telnyx answers with (the
// spec's messaging_Error). It also appears in Message.Errors for delivery
// failures.
type ErrorEntry struct {
	Code   string         `json:"code"`
	Title  string         `json:"title"`
	Detail string         `json:"detail,omitempty"`
	Source *ErrorSource   `json:"source,omitempty"`
	Meta   map[string]any `json:"meta,omitempty"`
}

// ErrorSource points at the part of the request an error is about.
type ErrorSource struct {
	Pointer   string `json:"pointer,omitempty"`   // JSON pointer into the body, e.g. "/to"
	Parameter string `json:"parameter,omitempty"` // query parameter name
}

func (e ErrorEntry) String() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Title != "" {
		b.WriteString(" ")
		b.WriteString(e.Title)
	}
	if e.Detail != "" && e.Detail != e.Title {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Source != nil {
		if e.Source.Pointer != "" {
			b.WriteString(" (at " + e.Source.Pointer + ")")
		} else if e.Source.Parameter != "" {
			b.WriteString(" (parameter " + e.Source.Parameter + ")")
		}
	}
	return b.String()
}

// APIError is the error for every HTTP answer outside 2xx, from the
// Messaging API or a media host. It carries every entry of the answer's
// `errors` array. Use the Is* helpers rather than comparing codes by hand.
type APIError struct {
	StatusCode int
	Method     string
	Path       string // request path without query (no phone numbers, no key)
	Errors     []ErrorEntry
	// RateLimitReset is when a 429's limit resets, from Retry-After or
	// x-ratelimit-reset; zero when the answer said nothing.
	RateLimitReset time.Time
	// Hint explains a status whose meaning is not obvious, e.g. the 10-day
	// retention behind a 404 on GET /messages/{id}.
	Hint string
	// RequestID is Telnyx's x-request-id, when present, for support tickets.
	RequestID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "telnyx: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	for i, en := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(en.String())
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// HasCode reports whether any entry carries code.
func (e *APIError) HasCode(code string) bool {
	for _, en := range e.Errors {
		if en.Code == code {
			return true
		}
	}
	return false
}

func asAPIError(err error) (*APIError, bool) {
	var ae *APIError
	ok := errors.As(err, &ae)
	return ae, ok
}

// IsOptedOut reports whether err says the recipient opted out (code 40300,
// they sent STOP). Never retry such a send.
func IsOptedOut(err error) bool {
	ae, ok := asAPIError(err)
	return ok && ae.HasCode(CodeOptedOut)
}

// IsNotFound reports a 404 (for GetMessage: possibly older than 10 days).
func IsNotFound(err error) bool {
	ae, ok := asAPIError(err)
	return ok && ae.StatusCode == http.StatusNotFound
}

// IsUnauthorized reports a 401 or 403: the API key is wrong, revoked or lacks
// the permission.
func IsUnauthorized(err error) bool {
	ae, ok := asAPIError(err)
	return ok && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden)
}

// IsInvalidParameters reports a 400 or 422: the request itself is wrong and
// sending it again unchanged cannot succeed.
func IsInvalidParameters(err error) bool {
	if errors.Is(err, ErrInvalidRequest) {
		return true
	}
	ae, ok := asAPIError(err)
	return ok && (ae.StatusCode == http.StatusBadRequest || ae.StatusCode == http.StatusUnprocessableEntity)
}

// IsRateLimited reports a 429 and, when Telnyx said so (Retry-After or
// x-ratelimit-reset), when the limit resets; reset is zero otherwise.
func IsRateLimited(err error) (reset time.Time, ok bool) {
	ae, isAPI := asAPIError(err)
	if !isAPI || ae.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, false
	}
	return ae.RateLimitReset, true
}

// ErrInvalidRequest marks a request the client refused to send because it
// breaks the spec (a missing required field, a field the endpoint does not
// take). Such a request never left the process: NotSent holds.
var ErrInvalidRequest = errors.New("telnyx: invalid request")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidRequest}, args...)...)
}

// transportError is a failure without an HTTP answer (or with an answer that
// could not be read). written says whether any of the request may have
// reached the server.
type transportError struct {
	method, path string
	written      bool
	err          error
}

func (e *transportError) Error() string {
	state := "not sent"
	if e.written {
		state = "outcome unknown"
	}
	return fmt.Sprintf("telnyx: %s %s: %s (%s)", e.method, e.path, e.err, state)
}

func (e *transportError) Unwrap() error { return e.err }

// IsTransport reports whether err is a failure with no readable answer from
// Telnyx (connection refused, reset, timed out); NotSent tells whether the
// request may have reached it.
func IsTransport(err error) bool {
	var te *transportError
	return errors.As(err, &te)
}

// NotSent reports whether err proves that the request had no effect at
// Telnyx: it was refused locally, failed before any byte was written
// (connection refused, DNS, context done before sending), or Telnyx answered
// with a 4xx (including 429) and so did not act on it. Only then is it safe
// to send the same message again.
func NotSent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidRequest) {
		return true
	}
	if ae, ok := asAPIError(err); ok {
		return ae.StatusCode >= 400 && ae.StatusCode < 500
	}
	var te *transportError
	if errors.As(err, &te) {
		return !te.written
	}
	return false
}

// IsAmbiguous reports whether a failed request may still have taken effect:
// a timeout or broken connection after the request was written, a 5xx, or a
// 2xx whose body could not be read. It is exactly "err != nil and not
// NotSent(err)": any error that does not prove the message was not sent is
// treated as ambiguous, so the outbound pipeline never double-sends. Resolve
// such a failure by asking a person (or by GetMessage when an id is known),
// never by resending automatically.
func IsAmbiguous(err error) bool {
	return err != nil && !NotSent(err)
}

package outbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// Explain says in words what a failure means for the teammate who asked,
// and what to do. Nothing internal (a URL, an HTTP verb, a Go error chain)
// reaches Slack; callers keep the detail in the log.
func Explain(err error) string {
	var (
		refused *RefusedError
		quiet   *QuietError
		ae      *telnyx.APIError
		ne      net.Error
		oe      *net.OpError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &refused):
		return refused.Reason
	case errors.As(err, &quiet):
		return quiet.Error()
	case telnyx.IsOptedOut(err):
		return "the recipient has opted out (they sent STOP); Telnyx will not deliver to them until they send START"
	case isRateLimited(err):
		return "Telnyx is rate limiting us; try again in a minute"
	case errors.Is(err, context.DeadlineExceeded):
		return "Telnyx did not answer in time; if it was a send, it may or may not have happened: check with `/sms status` or the Telnyx portal before trying again"
	case errors.As(err, &ae):
		return explainAPIError(ae)
	case telnyx.IsTransport(err), errors.As(err, &oe), errors.As(err, &ne):
		if telnyx.NotSent(err) {
			return "Telnyx could not be reached (a network problem on our side or theirs); nothing was sent or changed. Try again in a minute"
		}
		return "the connection to Telnyx broke before its answer came; it may or may not have happened: check with `/sms status` or the Telnyx portal before trying again"
	case errors.Is(err, telnyx.ErrInvalidRequest):
		return "the request is incomplete: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "telnyx: invalid request: "), "telnyx: ")
	case errors.Is(err, store.ErrNotFound):
		return "it was not found"
	}
	return "something went wrong inside smsbridge; the details are in its log"
}

func isRateLimited(err error) bool {
	_, ok := telnyx.IsRateLimited(err)
	return ok
}

// explainAPIError is Telnyx's own words: each error's title and detail,
// with its code.
func explainAPIError(ae *telnyx.APIError) string {
	if ae.StatusCode == http.StatusNotFound {
		return "Telnyx has no such message or number (Telnyx keeps messages for 10 days)"
	}
	if ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden && len(ae.Errors) == 0 {
		return "Telnyx refused smsbridge's API key; an admin should check TELNYX_API_KEY"
	}
	var parts []string
	for _, e := range ae.Errors {
		parts = append(parts, ErrorWords(e.Code, e.Title, e.Detail))
	}
	if len(parts) == 0 {
		if ae.StatusCode >= 500 {
			return fmt.Sprintf("Telnyx had a problem of its own (%d %s); if it was a send, it may or may not have happened", ae.StatusCode, http.StatusText(ae.StatusCode))
		}
		return fmt.Sprintf("Telnyx refused it (%d %s)", ae.StatusCode, http.StatusText(ae.StatusCode))
	}
	return "Telnyx refused it: " + strings.Join(parts, "; ")
}

// ErrorWords is one Telnyx error (an API answer's or a carrier's in a
// delivery report) as the thread shows it: title, detail and code.
func ErrorWords(code, title, detail string) string {
	s := strings.TrimRight(strings.TrimSpace(title), ".")
	if d := strings.TrimRight(strings.TrimSpace(detail), "."); d != "" && !strings.EqualFold(d, s) {
		if s != "" {
			s += ": "
		}
		s += d
	}
	if s == "" {
		s = "no reason given"
	}
	if code != "" {
		s += " (error " + code + ")"
	}
	return s
}

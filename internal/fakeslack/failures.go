package fakeslack

import (
	"fmt"
	"io"
	"net/http"
)

// Failure is what an injected failure answers. Build one with HTTPError,
// RateLimited, SlackError or Disconnect.
type Failure struct {
	Status     int    // HTTP status; 0 means 200
	RetryAfter string // Retry-After header, for 429s
	Error      string // Slack error code for {"ok":false,"error":...}
	Disconnect bool   // close the connection without answering (a network error)
}

// HTTPError answers with an HTTP status and an HTML body, as Slack's edge does on 5xx.
func HTTPError(status int) Failure { return Failure{Status: status} }

// RateLimited answers 429 with a Retry-After of the given seconds.
func RateLimited(retryAfterSeconds int) Failure {
	return Failure{Status: http.StatusTooManyRequests, RetryAfter: fmt.Sprint(retryAfterSeconds)}
}

// SlackError answers 200 {"ok":false,"error":code}.
func SlackError(code string) Failure { return Failure{Error: code} }

// Disconnect drops the connection without an answer.
func Disconnect() Failure { return Failure{Disconnect: true} }

// FailNext makes the next n calls of method (a Web API method name, or
// MethodUpload / MethodResponseURL) fail with f. Calls that fail are still
// recorded in Calls, with the failure; they change no other state.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[method] = append(s.failures[method], f)
	}
}

// takeFailureLocked pops the next injected failure for method.
func (s *Server) takeFailureLocked(method string) (Failure, bool) {
	q := s.failures[method]
	if len(q) == 0 {
		return Failure{}, false
	}
	s.failures[method] = q[1:]
	return q[0], true
}

// writeFailure answers with an injected failure.
func (s *Server) writeFailure(w http.ResponseWriter, f Failure) {
	if f.Disconnect {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status != 0 && f.Status != http.StatusOK {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, "<html><body>fakeslack: injected failure</body></html>")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": f.Error})
}

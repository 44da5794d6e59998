package outbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/telnyx"
)

// No raw internal error reaches Slack: each failure is said in words, and
// Telnyx's own code, title and detail are kept.
func TestExplainSaysFailuresInWords(t *testing.T) {
	// A real refused connection and a real 404, through the real client.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	c := telnyx.NewClient("KEY", telnyx.WithBaseURL(dead), telnyx.WithRetry(1, time.Millisecond))
	_, refused := c.CancelScheduledMessage(context.Background(), "abc")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"code":"10005","title":"Resource not found","detail":"The requested resource or URL could not be found."}]}`)
	}))
	defer srv.Close()
	_, notFound := telnyx.NewClient("KEY", telnyx.WithBaseURL(srv.URL)).CancelScheduledMessage(context.Background(), "abc")

	srv422 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"errors":[{"code":"40310","title":"Invalid 'to' address","detail":"The 'to' address is not a valid phone number."}]}`)
	}))
	defer srv422.Close()
	_, invalid := telnyx.NewClient("KEY", telnyx.WithBaseURL(srv422.URL)).SendMessage(context.Background(), telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x"})

	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"connection refused", refused, []string{"could not be reached", "nothing was sent"}},
		{"404", notFound, []string{"Telnyx has no such message"}},
		{"422 with Telnyx's words", invalid, []string{"Invalid 'to' address", "not a valid phone number", "error 40310"}},
		{"timeout", fmt.Errorf("send: %w", context.DeadlineExceeded), []string{"did not answer in time", "may or may not"}},
		{"a policy refusal", &RefusedError{Reason: "Not sent: they opted out."}, []string{"Not sent: they opted out."}},
		{"anything else", errors.New("sql: database is locked at 0xc000"), []string{"inside smsbridge", "log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the setup made no error")
			}
			got := Explain(tt.err)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explain(%v) = %q, want it to contain %q", tt.err, got, w)
				}
			}
			for _, raw := range []string{"telnyx:", "DELETE", "POST", "/messages", "dial tcp", "127.0.0.1", "0xc000", "sql:"} {
				if strings.Contains(got, raw) {
					t.Errorf("Explain(%v) = %q: shows %q", tt.err, got, raw)
				}
			}
		})
	}
}

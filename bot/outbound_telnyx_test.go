package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/telnyx"
)

// outFake is the Telnyx side of the outbound tests: an HTTP server
// answering POST /v2/messages and /v2/messages/group_mms in the API's wire
// format, reached through the real telnyx.Client and bridge.TelnyxSender.
// (internal/faketelnyx, the spec-validating fake, has not landed on main
// yet; switch to it when it does.)
type outFake struct {
	t     testing.TB
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []obRequest
	fails []obFail
	seen  chan struct{} // receives after each accepted send (benchmarks)
	// crashAfterAccept makes the sender die (the worker goroutine exits
	// without returning) once Telnyx has accepted a send: a process crash
	// between Telnyx's answer and our record of it.
	crashAfterAccept chan struct{}
}

// obRequest is one request the fake received.
type obRequest struct {
	Path string
	Body map[string]any
	Auth string
	// Failed is set when the fake answered with a scripted failure.
	Failed bool
}

// obSend is an accepted send, as the tests assert on it.
type obSend struct {
	From      string
	To        []string
	Text      string
	MediaURLs []string
	Group     bool
}

type obFail int

const (
	failRateLimited obFail = iota + 1 // 429 with Retry-After: 1
	failOptedOut                      // 422 with code 40300
	failServerError                   // 500 after the request arrived
	failRejected                      // 422 40310 invalid to
	failHang                          // no answer until the client gives up
)

const obAPIKey = "KEYtest_0000"

func newOutFake(t testing.TB) *outFake {
	f := &outFake{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *outFake) failNext(kinds ...obFail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, kinds...)
}

func (f *outFake) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Method != http.MethodPost ||
		(r.URL.Path != "/v2/messages" && r.URL.Path != "/v2/messages/group_mms") {
		f.t.Errorf("telnyx fake: unexpected %s %s (%v)", r.Method, r.URL.Path, err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	var fail obFail
	if len(f.fails) > 0 {
		fail, f.fails = f.fails[0], f.fails[1:]
	}
	f.reqs = append(f.reqs, obRequest{Path: r.URL.Path, Body: body, Auth: r.Header.Get("Authorization"), Failed: fail != 0})
	n := len(f.reqs)
	seen := f.seen
	f.mu.Unlock()
	if seen != nil && fail == 0 {
		seen <- struct{}{} // the send request has arrived
	}
	errBody := func(status int, code, title, detail string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"code": code, "title": title, "detail": detail}}})
	}
	switch fail {
	case failRateLimited:
		w.Header().Set("Retry-After", "1")
		errBody(http.StatusTooManyRequests, "10011", "Too many requests", "rate limit exceeded")
		return
	case failOptedOut:
		errBody(http.StatusUnprocessableEntity, "40300", "Blocked due to STOP message", "The recipient has opted out.")
		return
	case failServerError:
		http.Error(w, "upstream error", http.StatusInternalServerError)
		return
	case failRejected:
		errBody(http.StatusUnprocessableEntity, "40310", "Invalid 'to' address", "The 'to' address is not a valid number.")
		return
	case failHang:
		<-r.Context().Done()
		return
	}
	typ := "SMS"
	if _, ok := body["media_urls"]; ok || r.URL.Path == "/v2/messages/group_mms" {
		typ = "MMS"
	}
	var to []map[string]any
	switch v := body["to"].(type) {
	case string:
		to = append(to, map[string]any{"phone_number": v, "status": "queued"})
	case []any:
		for _, x := range v {
			to = append(to, map[string]any{"phone_number": x, "status": "queued"})
		}
	}
	text, _ := body["text"].(string)
	seg := phone.Segments(text)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{
		"id": fmt.Sprintf("40385f64-5717-4562-b3fc-%012d", n), "record_type": "message", "direction": "outbound", "type": typ,
		"from": map[string]any{"phone_number": body["from"]}, "to": to, "text": text, "media": []any{},
		"parts": max(seg.Segments, 1), "encoding": seg.Encoding, "errors": []any{},
		"received_at": time.Now().UTC().Format(time.RFC3339Nano),
	}})
}

// requests is every send request that reached the fake, failed ones too.
func (f *outFake) requests() []obRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]obRequest(nil), f.reqs...)
}

func (f *outFake) attempts() int { return len(f.requests()) }

// sends are the requests the fake accepted, in order.
func (f *outFake) sends() []obSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []obSend
	for _, r := range f.reqs {
		if r.Failed {
			continue
		}
		s := obSend{Group: strings.HasSuffix(r.Path, "group_mms")}
		s.From, _ = r.Body["from"].(string)
		s.Text, _ = r.Body["text"].(string)
		switch v := r.Body["to"].(type) {
		case string:
			s.To = []string{v}
		case []any:
			for _, x := range v {
				s.To = append(s.To, fmt.Sprint(x))
			}
		}
		if mu, ok := r.Body["media_urls"].([]any); ok {
			for _, x := range mu {
				s.MediaURLs = append(s.MediaURLs, fmt.Sprint(x))
			}
		}
		out = append(out, s)
	}
	return out
}

// sender is the real client and TelnyxSender, pointed at the fake. The
// client's waits (a 429's Retry-After) are skipped: the test clock does not
// need to pass them.
func (f *outFake) sender() bridge.SMSSender {
	c := telnyx.NewClient(obAPIKey, telnyx.WithBaseURL(f.srv.URL+"/v2"),
		telnyx.WithClock(nil, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
	return &crashingSender{f: f, next: &bridge.TelnyxSender{Client: c}}
}

type crashingSender struct {
	f    *outFake
	next bridge.SMSSender
}

func (s *crashingSender) SendSMS(ctx context.Context, m bridge.OutSMS) (*bridge.SentSMS, error) {
	sent, err := s.next.SendSMS(ctx, m)
	s.f.mu.Lock()
	crash := s.f.crashAfterAccept
	s.f.crashAfterAccept = nil
	s.f.mu.Unlock()
	if err == nil && crash != nil {
		close(crash)
		runtime.Goexit() // the process is gone: nothing after this runs
	}
	return sent, err
}

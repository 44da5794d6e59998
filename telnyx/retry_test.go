package telnyx_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

var fixedNow = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// sleeper records the waits the client asks for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

func retrySetup(t *testing.T, opts ...telnyx.Option) (*faketelnyx.Server, *telnyxacct.Client, *sleeper) {
	sl := &sleeper{}
	all := append([]telnyx.Option{
		telnyx.WithClock(func() time.Time { return fixedNow }, sl.sleep),
		telnyx.WithRetry(4, 100*time.Millisecond),
	}, opts...)
	srv, c := telnyxtest.Setup(t, all...)
	return srv, c, sl
}

var smsReq = telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "hi"}

func TestRetryPOSTNotResentAfter5xx(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		srv, c, sl := retrySetup(t)
		srv.Enqueue("POST /messages", faketelnyx.Response{Status: status, Body: `upstream trouble`})
		_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
		if err == nil {
			t.Fatalf("%d: no error", status)
		}
		if n := len(srv.RequestsTo("POST /messages")); n != 1 {
			t.Errorf("%d: POST sent %d times, want exactly once", status, n)
		}
		if !telnyx.IsAmbiguous(err) || telnyx.NotSent(err) {
			t.Errorf("%d: IsAmbiguous=%v NotSent=%v, want ambiguous", status, telnyx.IsAmbiguous(err), telnyx.NotSent(err))
		}
		if len(sl.got()) != 0 {
			t.Errorf("%d: waited %v before giving up", status, sl.got())
		}
	}
}

func TestRetryPATCHNotResentAfter5xx(t *testing.T) {
	srv, c, _ := retrySetup(t)
	srv.Enqueue("PATCH /phone_numbers/{id}/messaging", faketelnyx.Response{Status: 500})
	_, err := c.UpdateNumberSettings(telnyxtest.Ctx(t), faketelnyx.DefaultNumberID, telnyxacct.NumberSettingsUpdate{MessagingProduct: telnyxtest.Ptr("P2P")})
	if !telnyx.IsAmbiguous(err) {
		t.Errorf("err = %v, want ambiguous", err)
	}
	if n := len(srv.RequestsTo("PATCH /phone_numbers/{id}/messaging")); n != 1 {
		t.Errorf("PATCH sent %d times, want 1", n)
	}
}

func TestRetryPOSTResentAfter429WithRetryAfter(t *testing.T) {
	srv, c, sl := retrySetup(t)
	r := faketelnyx.Error(http.StatusTooManyRequests, "10011", "Too many requests", "")
	r.Header = http.Header{"Retry-After": {"7"}}
	srv.Enqueue("POST /messages", r)
	m, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == "" {
		t.Errorf("no message")
	}
	if n := len(srv.RequestsTo("POST /messages")); n != 2 {
		t.Errorf("POST sent %d times, want 2 (once more after the 429)", n)
	}
	if w := sl.got(); len(w) != 1 || w[0] != 7*time.Second {
		t.Errorf("waits = %v, want [7s] from Retry-After", w)
	}
}

func TestRetry429WithRateLimitResetHeader(t *testing.T) {
	srv, c, sl := retrySetup(t)
	r := faketelnyx.Error(http.StatusTooManyRequests, "10011", "Too many requests", "")
	r.Header = http.Header{"X-Ratelimit-Reset": {"3"}, "X-Ratelimit-Remaining": {"0"}}
	srv.Enqueue("POST /messages/long_code", r)
	if _, err := c.SendLongCode(telnyxtest.Ctx(t), smsReq); err != nil {
		t.Fatal(err)
	}
	if w := sl.got(); len(w) != 1 || w[0] != 3*time.Second {
		t.Errorf("waits = %v, want [3s] from x-ratelimit-reset", w)
	}
}

func TestRetry429ResetTooFarIsReturned(t *testing.T) {
	srv, c, sl := retrySetup(t)
	r := faketelnyx.Error(http.StatusTooManyRequests, "10011", "Too many requests", "")
	r.Header = http.Header{"Retry-After": {"3600"}}
	srv.Enqueue("POST /messages", r)
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	reset, ok := telnyx.IsRateLimited(err)
	if !ok || !reset.Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("IsRateLimited = %v, %v; want %v", reset, ok, fixedNow.Add(time.Hour))
	}
	if !telnyx.NotSent(err) {
		t.Errorf("a 429 is not sent, NotSent = false")
	}
	if n := len(srv.RequestsTo("POST /messages")); n != 1 || len(sl.got()) != 0 {
		t.Errorf("requests %d waits %v: an hour-long reset must not be waited out", n, sl.got())
	}
}

func TestRetryGETRetriedAfter503(t *testing.T) {
	srv, c, sl := retrySetup(t)
	m, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if err != nil {
		t.Fatal(err)
	}
	srv.Enqueue("GET /messages/{id}", faketelnyx.Response{Status: 503}, faketelnyx.Response{Status: 503})
	got, err := c.GetMessage(telnyxtest.Ctx(t), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID {
		t.Errorf("got %s", got.ID)
	}
	if n := len(srv.RequestsTo("GET /messages/{id}")); n != 3 {
		t.Errorf("GET sent %d times, want 3", n)
	}
	if w := sl.got(); len(w) != 2 || w[0] != 100*time.Millisecond || w[1] != 200*time.Millisecond {
		t.Errorf("waits = %v, want exponential [100ms 200ms]", w)
	}
}

func TestRetryGETGivesUpAfterMaxAttempts(t *testing.T) {
	srv, c, _ := retrySetup(t, telnyx.WithRetry(3, time.Millisecond))
	srv.Handle("GET /messaging_optouts", func(faketelnyx.Request) faketelnyx.Response { return faketelnyx.Response{Status: 500} })
	_, _, err := c.ListOptOutsPage(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{}, 1, 10)
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(srv.RequestsTo("GET /messaging_optouts")); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestRetryDELETERetriedAfter5xx(t *testing.T) {
	srv, c, _ := retrySetup(t)
	m, err := c.ScheduleMessage(telnyxtest.Ctx(t), telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x", SendAt: fixedNow.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Enqueue("DELETE /messages/{id}", faketelnyx.Response{Status: 502})
	if _, err := c.CancelScheduledMessage(telnyxtest.Ctx(t), m.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.RequestsTo("DELETE /messages/{id}")); n != 2 {
		t.Errorf("DELETE sent %d times, want 2", n)
	}
}

func TestRetryPOSTRetriedWhenConnectionRefused(t *testing.T) {
	// A closed listener: every dial is refused, nothing is ever written.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}}}
	sl := &sleeper{}
	c := telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL("http://"+addr+"/v2"), telnyx.WithHTTPClient(hc),
		telnyx.WithRetry(3, 10*time.Millisecond), telnyx.WithClock(nil, sl.sleep))
	_, err = c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if err == nil {
		t.Fatal("no error from a closed listener")
	}
	if n := dials.Load(); n != 3 {
		t.Errorf("%d dials, want 3 (the POST is retried: it was never written)", n)
	}
	if !telnyx.NotSent(err) || telnyx.IsAmbiguous(err) {
		t.Errorf("NotSent=%v IsAmbiguous=%v, want definitely not sent", telnyx.NotSent(err), telnyx.IsAmbiguous(err))
	}
}

func TestRetryPOSTSucceedsAfterFailedDial(t *testing.T) {
	srv := faketelnyx.New(t)
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}}}
	c := telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL(srv.BaseURL), telnyx.WithHTTPClient(hc),
		telnyx.WithClock(nil, (&sleeper{}).sleep))
	if _, err := c.SendMessage(telnyxtest.Ctx(t), smsReq); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.RequestsTo("POST /messages")); n != 1 {
		t.Errorf("server saw %d POSTs, want exactly 1", n)
	}
}

func TestRetryPOSTNotResentAfterTimeoutAfterWrite(t *testing.T) {
	srv := faketelnyx.New(t)
	hang := make(chan struct{})
	defer close(hang)
	srv.Enqueue("POST /messages", faketelnyx.Response{Hang: hang})
	c := telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL(srv.BaseURL),
		telnyx.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}),
		telnyx.WithClock(nil, (&sleeper{}).sleep))
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if err == nil {
		t.Fatal("no error")
	}
	if !telnyx.IsAmbiguous(err) || telnyx.NotSent(err) {
		t.Errorf("timeout after write: IsAmbiguous=%v NotSent=%v (err %v)", telnyx.IsAmbiguous(err), telnyx.NotSent(err), err)
	}
	if n := len(srv.RequestsTo("POST /messages")); n != 1 {
		t.Errorf("POST sent %d times, want 1", n)
	}
}

func TestRetryGETRetriedAfterTimeoutAfterWrite(t *testing.T) {
	srv := faketelnyx.New(t)
	hang := make(chan struct{})
	defer close(hang)
	srv.Enqueue("GET /mobile_phone_numbers/{id}/messaging", faketelnyx.Response{Hang: hang})
	c := telnyxacct.New(telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL(srv.BaseURL),
		telnyx.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}),
		telnyx.WithClock(nil, (&sleeper{}).sleep)))
	if _, err := c.GetMobileNumberSettings(telnyxtest.Ctx(t), faketelnyx.DefaultMobileNumberID); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.RequestsTo("GET /mobile_phone_numbers/{id}/messaging")); n != 2 {
		t.Errorf("GET sent %d times, want 2", n)
	}
}

func TestContextDoneBeforeSendIsNotSent(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.SendMessage(cx, smsReq)
	if !errors.Is(err, context.Canceled) || !telnyx.NotSent(err) {
		t.Errorf("err = %v, NotSent = %v", err, telnyx.NotSent(err))
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("request sent on a cancelled context")
	}
}

func TestUndecodableSuccessIsAmbiguous(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	srv.Enqueue("POST /messages", faketelnyx.Response{Body: `{"data": `, SkipValidation: true})
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if !telnyx.IsAmbiguous(err) {
		t.Errorf("a 200 we cannot read may have sent the message: err = %v, IsAmbiguous false", err)
	}
}

func TestSendPolicyReturnsA429AtOnceWithItsReset(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"errors":[{"code":"10011","title":"Too many requests"}]}`))
	}))
	defer srv.Close()
	c := telnyx.NewClient("KEY", telnyx.WithBaseURL(srv.URL), telnyx.WithRetryPolicy(telnyx.SendPolicy()))
	_, err := c.SendMessage(context.Background(), telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "hi"})
	reset, limited := telnyx.IsRateLimited(err)
	if !limited || reset.IsZero() {
		t.Fatalf("err = %v, want a 429 with its reset", err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d attempts, want 1: the 429 was waited out in-call", n)
	}
}

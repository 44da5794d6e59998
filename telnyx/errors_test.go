package telnyx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
)

func TestAPIErrorCarriesEveryEntry(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	srv.Enqueue("POST /messages", faketelnyx.Response{Status: 422, Body: map[string]any{"errors": []any{
		map[string]any{"code": "10002", "title": "Invalid phone number", "detail": "The 'to' number is invalid", "source": map[string]any{"pointer": "/to"}},
		map[string]any{"code": "10015", "title": "Bad parameter", "source": map[string]any{"parameter": "type"}},
	}}})
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	var ae *telnyx.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err %T %v is not *APIError", err, err)
	}
	if ae.StatusCode != 422 || len(ae.Errors) != 2 {
		t.Fatalf("APIError = %+v", ae)
	}
	e0, e1 := ae.Errors[0], ae.Errors[1]
	if e0.Code != "10002" || e0.Title != "Invalid phone number" || e0.Detail != "The 'to' number is invalid" || e0.Source == nil || e0.Source.Pointer != "/to" {
		t.Errorf("entry 0 = %+v", e0)
	}
	if e1.Code != "10015" || e1.Source == nil || e1.Source.Parameter != "type" {
		t.Errorf("entry 1 = %+v", e1)
	}
	msg := err.Error()
	for _, want := range []string{"422", "10002", "10015", "/to", "POST /messages"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if !telnyx.IsInvalidParameters(err) || !telnyx.NotSent(err) || telnyx.IsAmbiguous(err) || telnyx.IsOptedOut(err) {
		t.Errorf("helpers wrong for a 422")
	}
}

func TestErrorHelpers(t *testing.T) {
	type want struct{ optedOut, notFound, unauthorized, invalid, rateLimited, notSent bool }
	cases := []struct {
		name string
		resp faketelnyx.Response
		want want
	}{
		{"opted out", faketelnyx.Error(422, "40300", "Blocked due to STOP message", "The recipient has opted out"), want{optedOut: true, invalid: true, notSent: true}},
		{"opted out in 2nd entry", faketelnyx.Response{Status: 400, Body: map[string]any{"errors": []any{
			map[string]any{"code": "10001", "title": "x"}, map[string]any{"code": "40300", "title": "STOP"}}}}, want{optedOut: true, invalid: true, notSent: true}},
		{"not found", faketelnyx.Error(404, "10005", "Resource not found", ""), want{notFound: true, notSent: true}},
		{"unauthorized", faketelnyx.Error(401, "10009", "Authentication failed", ""), want{unauthorized: true, notSent: true}},
		{"forbidden", faketelnyx.Error(403, "10010", "Authorization failed", ""), want{unauthorized: true, notSent: true}},
		{"bad request", faketelnyx.Error(400, "10015", "Bad Request", ""), want{invalid: true, notSent: true}},
		{"rate limited", faketelnyx.Error(429, "10011", "Too many requests", ""), want{rateLimited: true, notSent: true}},
		{"server error", faketelnyx.Response{Status: 500}, want{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := telnyxtest.Setup(t, telnyx.WithRetry(1, 0))
			srv.Enqueue("POST /messages", tc.resp)
			_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
			if err == nil {
				t.Fatal("no error")
			}
			_, rl := telnyx.IsRateLimited(err)
			got := want{telnyx.IsOptedOut(err), telnyx.IsNotFound(err), telnyx.IsUnauthorized(err), telnyx.IsInvalidParameters(err), rl, telnyx.NotSent(err)}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v (err %v)", got, tc.want, err)
			}
			if telnyx.IsAmbiguous(err) == tc.want.notSent {
				t.Errorf("IsAmbiguous must be the opposite of NotSent for an error")
			}
		})
	}
}

func TestIsRateLimitedReset(t *testing.T) {
	srv, c := telnyxtest.Setup(t, telnyx.WithRetry(1, 0), telnyx.WithClock(func() time.Time { return fixedNow }, nil))
	r := faketelnyx.Error(429, "10011", "Too many requests", "")
	r.Header = http.Header{"Retry-After": {"30"}}
	srv.Enqueue("POST /messages", r)
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	reset, ok := telnyx.IsRateLimited(err)
	if !ok || !reset.Equal(fixedNow.Add(30*time.Second)) {
		t.Errorf("IsRateLimited = %v %v", reset, ok)
	}

	when := fixedNow.Add(90 * time.Second)
	r.Header = http.Header{"X-Ratelimit-Reset": {fmt.Sprint(when.Unix())}}
	srv.Enqueue("POST /messages", r)
	_, err = c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if reset, ok := telnyx.IsRateLimited(err); !ok || !reset.Equal(when) {
		t.Errorf("x-ratelimit-reset as Unix time: %v %v, want %v", reset, ok, when)
	}

	if _, ok := telnyx.IsRateLimited(errors.New("other")); ok {
		t.Errorf("IsRateLimited true for a plain error")
	}
	if telnyx.NotSent(nil) || telnyx.IsAmbiguous(nil) {
		t.Errorf("nil error is neither sent nor ambiguous")
	}
}

func TestAPIKeyNeverInErrorsOrLogs(t *testing.T) {
	srv, c := telnyxtest.Setup(t, telnyx.WithRetry(1, 0))
	var errs []error

	// A server that echoes the Authorization header into its error.
	srv.Handle("POST /messages", func(r faketelnyx.Request) faketelnyx.Response {
		return faketelnyx.Error(401, "10009", "Authentication failed", "bad token "+r.Header.Get("Authorization"))
	})
	_, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	errs = append(errs, err)
	srv.Enqueue("GET /messages/{id}", faketelnyx.Response{Status: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: "down " + telnyxtest.Key})
	_, err = c.GetMessage(telnyxtest.Ctx(t), faketelnyx.UUID())
	errs = append(errs, err)
	_, err = c.GetMessage(telnyxtest.Ctx(t), faketelnyx.UUID()) // 404
	errs = append(errs, err)

	// Transport failures.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	dead := telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL("http://"+addr+"/v2"), telnyx.WithRetry(1, 0))
	_, err = dead.SendMessage(telnyxtest.Ctx(t), smsReq)
	errs = append(errs, err)
	short, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err = c.GetMessage(short, faketelnyx.UUID())
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, telnyxtest.Key) {
				t.Errorf("case %d: the API key is in the error: %s", i, s)
			}
		}
	}

	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("client", "c", c)
	log.Info("client", "c", *c)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
	if strings.Contains(out, telnyxtest.Key) {
		t.Errorf("the API key is in formatted or logged output: %s", out)
	}
}

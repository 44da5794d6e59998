package sender

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/telnyx"
)

func TestClassifySendErrorSendsAgainOnlyWhatCannotHaveBeenSent(t *testing.T) {
	reset := time.Date(2026, 8, 20, 15, 0, 30, 0, time.UTC)
	for _, tc := range []struct {
		name string
		err  error
		want SendErrorKind
		code string
	}{
		{"429", &telnyx.APIError{StatusCode: 429, RateLimitReset: reset}, SendNotSent, ""},
		{"40300", &telnyx.APIError{StatusCode: 422, Errors: []telnyx.ErrorEntry{{Code: "40300", Title: "Blocked due to STOP message"}}}, SendOptedOut, "40300"},
		{"40318 queue full", &telnyx.APIError{StatusCode: 400, Errors: []telnyx.ErrorEntry{{Code: "40318", Title: "Message queue full"}}}, SendNotSent, "40318"},
		{"422 invalid", &telnyx.APIError{StatusCode: 422, Errors: []telnyx.ErrorEntry{{Code: "40310", Title: "Invalid 'to' address"}}}, SendRejected, "40310"},
		{"401", &telnyx.APIError{StatusCode: 401}, SendRejected, ""},
		{"refused locally", fmt.Errorf("%w: to is required", telnyx.ErrInvalidRequest), SendRejected, ""},
		{"500", &telnyx.APIError{StatusCode: 500}, SendAmbiguous, ""},
		{"503", &telnyx.APIError{StatusCode: 503}, SendAmbiguous, ""},
		{"unknown", errors.New("something odd"), SendAmbiguous, ""},
		{"deadline", context.DeadlineExceeded, SendAmbiguous, ""},
	} {
		se := ClassifySendError(tc.err)
		if se.Kind != tc.want || se.Code != tc.code {
			t.Errorf("%s: kind %d code %q, want %d %q", tc.name, se.Kind, se.Code, tc.want, tc.code)
		}
		if tc.name == "429" && !se.RetryAt.Equal(reset) {
			t.Errorf("429: retry at %v", se.RetryAt)
		}
	}
}

func TestTelnyxSenderConnectionRefusedIsNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the request cannot leave
	s := &TelnyxSender{Client: telnyx.NewClient("KEY", telnyx.WithBaseURL("http://"+addr+"/v2"), telnyx.WithRetry(1, time.Millisecond))}
	_, err = s.SendSMS(context.Background(), OutSMS{From: "+18445550001", To: []domain.E164{"+13125550123"}, Text: "hi"})
	if k := ErrorOf(err).Kind; k != SendNotSent {
		t.Fatalf("kind %d (%v)", k, err)
	}
}

func TestTelnyxSenderUsesGroupMMSForSeveralRemotes(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"id":"m1","record_type":"message","direction":"outbound","type":"MMS","from":{"phone_number":"+18445550001"},"to":[{"phone_number":"+13125550123","status":"queued"}],"parts":1}}`)
	}))
	defer srv.Close()
	s := &TelnyxSender{Client: telnyx.NewClient("KEY", telnyx.WithBaseURL(srv.URL+"/v2"))}
	ctx := context.Background()
	if _, err := s.SendSMS(ctx, OutSMS{From: "+18445550001", To: []domain.E164{"+13125550123"}, Text: "a"}); err != nil {
		t.Fatal(err)
	}
	sent, err := s.SendSMS(ctx, OutSMS{From: "+18445550001", To: []domain.E164{"+13125550123", "+16465550142"}, Text: "b"})
	if err != nil || sent.ID != "m1" || sent.Status != "queued" {
		t.Fatal(sent, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 2 || paths[0] != "/v2/messages" || paths[1] != "/v2/messages/group_mms" {
		t.Fatalf("paths %v", paths)
	}
}

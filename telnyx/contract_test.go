package telnyx_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

func TestContractSendMessage(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	m, err := c.SendMessage(telnyxtest.Ctx(t), telnyx.SendRequest{
		From: "+18445550001", To: "+13125550123", Text: "hello",
		MediaURLs: []string{"https://example.com/a.jpg"}, Subject: "pic", Type: telnyx.TypeMMS,
		WebhookURL: "https://hooks.example.com/t", WebhookFailoverURL: "https://hooks2.example.com/t",
		UseProfileWebhooks: telnyxtest.Ptr(false), Encoding: telnyx.EncodingUCS2, AutoDetect: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || len(m.To) != 1 || m.To[0].PhoneNumber != "+13125550123" || m.To[0].Status != "queued" || m.Type != "MMS" {
		t.Errorf("decoded message = %+v", m)
	}
	if m.Cost == nil || m.Cost.Amount != "0.0051" || m.From.PhoneNumber != "+18445550001" || m.ReceivedAt.IsZero() {
		t.Errorf("cost/from/received_at not decoded: %+v", m)
	}
	req := srv.RequestsTo("POST /messages")[0]
	if got := req.Header.Get("Authorization"); got != "Bearer "+telnyxtest.Key {
		t.Errorf("Authorization = %q", got)
	}
	if ua := req.Header.Get("User-Agent"); ua != "smsbridge/"+telnyx.DefaultVersion {
		t.Errorf("User-Agent = %q", ua)
	}
	want := map[string]any{
		"from": "+18445550001", "to": "+13125550123", "text": "hello",
		"media_urls": []any{"https://example.com/a.jpg"}, "subject": "pic", "type": "MMS",
		"webhook_url": "https://hooks.example.com/t", "webhook_failover_url": "https://hooks2.example.com/t",
		"use_profile_webhooks": false, "encoding": "ucs2", "auto_detect": true,
	}
	if got := req.BodyMap(); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %v\nwant %v", got, want)
	}
}

func TestContractSendMessageNumberPoolAndScheduled(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	if _, err := c.SendMessage(telnyxtest.Ctx(t), telnyx.SendRequest{MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "hi", SendAt: at}); err != nil {
		t.Fatal(err)
	}
	b := telnyxtest.LastBody(t, srv, "POST /messages")
	if b["messaging_profile_id"] != faketelnyx.DefaultProfileID || b["send_at"] != at.UTC().Format(time.RFC3339) {
		t.Errorf("body = %v", b)
	}
	if _, ok := b["from"]; ok {
		t.Errorf("from sent for a number pool send: %v", b)
	}
}

func TestContractSendEndpoints(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx := telnyxtest.Ctx(t)
	cases := []struct {
		route string
		send  func() (*telnyx.Message, error)
		want  map[string]any
	}{
		{"POST /messages/long_code", func() (*telnyx.Message, error) {
			return c.SendLongCode(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "lc", Encoding: telnyx.EncodingGSM7})
		}, map[string]any{"from": "+18445550001", "to": "+13125550123", "text": "lc", "encoding": "gsm7"}},
		{"POST /messages/short_code", func() (*telnyx.Message, error) {
			return c.SendShortCode(cx, telnyx.SendRequest{From: "12345", To: "+13125550123", Text: "sc"})
		}, map[string]any{"from": "12345", "to": "+13125550123", "text": "sc"}},
		{"POST /messages/number_pool", func() (*telnyx.Message, error) {
			return c.SendNumberPool(cx, telnyx.SendRequest{MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "np"})
		}, map[string]any{"messaging_profile_id": faketelnyx.DefaultProfileID, "to": "+13125550123", "text": "np"}},
		{"POST /messages/alphanumeric_sender_id", func() (*telnyx.Message, error) {
			return c.SendAlphanumeric(cx, telnyx.SendRequest{From: "Acme", MessagingProfileID: faketelnyx.DefaultProfileID, To: "+447700900123", Text: "an", UseProfileWebhooks: telnyxtest.Ptr(true)})
		}, map[string]any{"from": "Acme", "messaging_profile_id": faketelnyx.DefaultProfileID, "to": "+447700900123", "text": "an", "use_profile_webhooks": true}},
		{"POST /messages/group_mms", func() (*telnyx.Message, error) {
			return c.SendGroupMMS(cx, telnyx.GroupMMSRequest{From: "+18445550001", To: []string{"+13125550123", "+13125550124"}, Text: "g", MediaURLs: []string{"https://example.com/x.png"}, Subject: "s"})
		}, map[string]any{"from": "+18445550001", "to": []any{"+13125550123", "+13125550124"}, "text": "g", "media_urls": []any{"https://example.com/x.png"}, "subject": "s"}},
	}
	for _, tc := range cases {
		t.Run(tc.route, func(t *testing.T) {
			m, err := tc.send()
			if err != nil {
				t.Fatal(err)
			}
			if m.ID == "" || len(m.To) == 0 {
				t.Errorf("message = %+v", m)
			}
			if got := telnyxtest.LastBody(t, srv, tc.route); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("body = %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestContractScheduleGetCancel(t *testing.T) {
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	srv, c := telnyxtest.Setup(t, telnyx.WithClock(func() time.Time { return now }, nil))
	cx := telnyxtest.Ctx(t)
	at := now.Add(2 * time.Hour)
	m, err := c.ScheduleMessage(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "later", SendAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if b := telnyxtest.LastBody(t, srv, "POST /messages/schedule"); b["send_at"] != "2026-09-01T14:00:00Z" {
		t.Errorf("send_at = %v", b["send_at"])
	}
	if !m.SendAt.Equal(at) {
		t.Errorf("SendAt = %v, want %v", m.SendAt, at)
	}
	got, err := c.GetMessage(cx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.Text != "later" || got.Direction != "outbound" {
		t.Errorf("GetMessage = %+v", got)
	}
	cancelled, err := c.CancelScheduledMessage(cx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.ID != m.ID || len(cancelled.To) != 1 || cancelled.To[0].Status != "cancelled" {
		t.Errorf("cancelled (unwrapped) = %+v", cancelled)
	}
	if r := srv.RequestsTo("DELETE /messages/{id}"); len(r) != 1 || r[0].Params["id"] != m.ID {
		t.Errorf("DELETE requests = %v", r)
	}

	// Too soon and too far are refused before sending.
	for _, bad := range []time.Time{now.Add(time.Minute), now.Add(6 * 24 * time.Hour)} {
		_, err := c.ScheduleMessage(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x", SendAt: bad})
		if !errors.Is(err, telnyx.ErrInvalidRequest) || !telnyx.NotSent(err) {
			t.Errorf("send_at %v: err = %v, want ErrInvalidRequest", bad, err)
		}
	}
	if n := len(srv.RequestsTo("POST /messages/schedule")); n != 1 {
		t.Errorf("%d schedule requests reached the server, want 1", n)
	}
}

func TestContractGetMessageNotFoundExplainsRetention(t *testing.T) {
	_, c := telnyxtest.Setup(t)
	_, err := c.GetMessage(telnyxtest.Ctx(t), faketelnyx.UUID())
	if !telnyx.IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	if !strings.Contains(err.Error(), "10 days") {
		t.Errorf("error does not explain the 10-day retention: %v", err)
	}
}

func TestContractWhatsApp(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	m, err := c.SendWhatsApp(telnyxtest.Ctx(t), telnyx.WhatsAppRequest{
		From: "+18445550001", To: "+13125550123",
		Message: json.RawMessage(`{"type":"text","text":{"body":"hi"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || len(m.To) != 1 || m.To[0].PhoneNumber != "+13125550123" {
		t.Errorf("whatsapp answer = %+v", m)
	}
	b := telnyxtest.LastBody(t, srv, "POST /messages/whatsapp")
	if b["type"] != "WHATSAPP" || b["whatsapp_message"].(map[string]any)["type"] != "text" {
		t.Errorf("body = %v", b)
	}
}

func TestFetchMedia(t *testing.T) {
	srv := faketelnyx.New(t)
	c := telnyx.NewClient(telnyxtest.Key, telnyx.WithBaseURL(srv.BaseURL), mediaAllow(t, srv.URL),
		telnyx.WithClock(nil, func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	body := []byte("\x89PNG fake image bytes")
	u := srv.AddMedia("5b2c/0.png", "image/png", body)
	got, ct, err := c.FetchMedia(telnyxtest.Ctx(t), u, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) || ct != "image/png" {
		t.Errorf("got %q %q", got, ct)
	}
	r := srv.RequestsTo("MEDIA")
	if len(r) != 1 {
		t.Fatalf("media requests = %v", r)
	}
	if a := r[0].Header.Get("Authorization"); a != "" {
		t.Errorf("the API key was sent to the media host: %q", a)
	}
	for k, vs := range r[0].Header {
		for _, v := range vs {
			if strings.Contains(v, telnyxtest.Key) {
				t.Errorf("header %s carries the key", k)
			}
		}
	}

	if _, _, err := c.FetchMedia(telnyxtest.Ctx(t), u, int64(len(body)-1)); !errors.Is(err, telnyx.ErrTooLarge) {
		t.Errorf("over limit: err = %v, want ErrTooLarge", err)
	}
	if _, _, err := c.FetchMedia(telnyxtest.Ctx(t), u, int64(len(body))); err != nil {
		t.Errorf("exactly at limit: %v", err)
	}
	if _, _, err := c.FetchMedia(telnyxtest.Ctx(t), srv.URL+"/media/missing", 10); !telnyx.IsNotFound(err) {
		t.Errorf("missing media: err = %v, want not found", err)
	}
	if _, _, err := c.FetchMedia(telnyxtest.Ctx(t), "file:///etc/passwd", 10); !errors.Is(err, telnyx.ErrInvalidRequest) {
		t.Errorf("file URL: err = %v", err)
	}
}

// mediaFetcher is bridge.MediaFetcher's method set (bridge is not imported
// here: telnyx must not depend on it).
type mediaFetcher interface {
	FetchMedia(ctx context.Context, url string, limit int64) (body []byte, contentType string, err error)
}

var _ mediaFetcher = (*telnyx.Client)(nil)

func TestRequestsRefusedLocallyNeverReachTheServer(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx := telnyxtest.Ctx(t)
	calls := map[string]func() error{
		"long code with profile": func() error {
			_, err := c.SendLongCode(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x", MessagingProfileID: faketelnyx.DefaultProfileID})
			return err
		},
		"number pool with from": func() error {
			_, err := c.SendNumberPool(cx, telnyx.SendRequest{From: "+18445550001", MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "x"})
			return err
		},
		"alphanumeric with media": func() error {
			_, err := c.SendAlphanumeric(cx, telnyx.SendRequest{From: "Acme", MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "x", MediaURLs: []string{"https://e.com/a"}})
			return err
		},
		"schedule with encoding": func() error {
			_, err := c.ScheduleMessage(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x", SendAt: time.Now().Add(time.Hour), Encoding: telnyx.EncodingGSM7})
			return err
		},
		"message without sender": func() error {
			_, err := c.SendMessage(cx, telnyx.SendRequest{To: "+13125550123", Text: "x"})
			return err
		},
		"message without body": func() error {
			_, err := c.SendMessage(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123"})
			return err
		},
		"group of nine": func() error {
			_, err := c.SendGroupMMS(cx, telnyx.GroupMMSRequest{From: "+18445550001", To: make([]string, 9), Text: "x"})
			return err
		},
		"page size 251": func() error {
			_, _, err := c.ListOptOutsPage(cx, telnyxacct.OptOutFilter{}, 1, 251)
			return err
		},
		"empty update": func() error {
			_, err := c.UpdateNumberSettings(cx, "1", telnyxacct.NumberSettingsUpdate{})
			return err
		},
	}
	for name, f := range calls {
		err := f()
		if !errors.Is(err, telnyx.ErrInvalidRequest) || !telnyx.NotSent(err) || !telnyx.IsInvalidParameters(err) {
			t.Errorf("%s: err = %v, want ErrInvalidRequest", name, err)
		}
	}
	if r := srv.Requests(); len(r) != 0 {
		t.Errorf("requests reached the server: %v", r)
	}
}

func TestContractCancelUnknownMessageIsNotFound(t *testing.T) {
	// The spec declares DELETE's 404 as a bare messaging_Error; the client
	// reads it into APIError.Errors all the same.
	_, c := telnyxtest.Setup(t)
	_, err := c.CancelScheduledMessage(telnyxtest.Ctx(t), faketelnyx.UUID())
	var ae *telnyx.APIError
	if !telnyx.IsNotFound(err) || !errors.As(err, &ae) || len(ae.Errors) != 1 || ae.Errors[0].Code != "10005" {
		t.Errorf("err = %#v", err)
	}
}

func TestContractCancelSentMessageIsRefused(t *testing.T) {
	_, c := telnyxtest.Setup(t)
	m, err := c.SendMessage(telnyxtest.Ctx(t), smsReq)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CancelScheduledMessage(telnyxtest.Ctx(t), m.ID)
	if !telnyx.IsInvalidParameters(err) {
		t.Errorf("cancelling a sent message: err = %v, want 422", err)
	}
}

// TestEveryOperationIsExercised calls each client method once and checks
// that together they reach every operation of the vendored spec, each
// request passing the fake's validation.
func TestEveryOperationIsExercised(t *testing.T) {
	now := time.Now()
	srv, c := telnyxtest.Setup(t, telnyx.WithClock(func() time.Time { return now }, nil))
	cx := telnyxtest.Ctx(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.SendMessage(cx, smsReq)
	must(err)
	_, err = c.SendLongCode(cx, smsReq)
	must(err)
	_, err = c.SendShortCode(cx, telnyx.SendRequest{From: "12345", To: "+13125550123", Text: "x"})
	must(err)
	_, err = c.SendNumberPool(cx, telnyx.SendRequest{MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "x"})
	must(err)
	_, err = c.SendAlphanumeric(cx, telnyx.SendRequest{From: "Acme", MessagingProfileID: faketelnyx.DefaultProfileID, To: "+13125550123", Text: "x"})
	must(err)
	_, err = c.SendGroupMMS(cx, telnyx.GroupMMSRequest{From: "+18445550001", To: []string{"+13125550123", "+13125550124"}, Text: "x"})
	must(err)
	m, err := c.ScheduleMessage(cx, telnyx.SendRequest{From: "+18445550001", To: "+13125550123", Text: "x", SendAt: now.Add(time.Hour)})
	must(err)
	_, err = c.GetMessage(cx, m.ID)
	must(err)
	_, err = c.CancelScheduledMessage(cx, m.ID)
	must(err)
	_, err = c.SendWhatsApp(cx, telnyx.WhatsAppRequest{From: "+18445550001", To: "+13125550123", Message: json.RawMessage(`{"type":"text","text":{"body":"x"}}`)})
	must(err)
	_, _, err = c.ListOptOutsPage(cx, telnyxacct.OptOutFilter{}, 1, 10)
	must(err)
	_, _, err = c.ListNumberSettingsPage(cx, telnyxacct.NumberFilter{}, 1, 10)
	must(err)
	_, err = c.GetNumberSettings(cx, faketelnyx.DefaultNumberID)
	must(err)
	_, err = c.UpdateNumberSettings(cx, faketelnyx.DefaultNumberID, telnyxacct.NumberSettingsUpdate{MessagingProduct: telnyxtest.Ptr("P2P")})
	must(err)
	_, _, err = c.ListMobileNumberSettingsPage(cx, 1, 10)
	must(err)
	_, err = c.GetMobileNumberSettings(cx, faketelnyx.DefaultMobileNumberID)
	must(err)
	o, err := c.BulkUpdateProfiles(cx, telnyxacct.BulkUpdateRequest{MessagingProfileID: faketelnyx.DefaultProfileID, Numbers: []string{"+18445550001"}})
	must(err)
	_, err = c.GetBulkUpdate(cx, o.OrderID)
	must(err)

	want, err := faketelnyx.Routes()
	must(err)
	hit := map[string]bool{}
	for _, r := range srv.Requests() {
		hit[r.Route] = true
	}
	for _, r := range want {
		if !hit[r] {
			t.Errorf("spec operation %s is not exercised", r)
		}
	}
	if len(want) != 18 {
		t.Errorf("spec has %d operations, this test knows 18: %v", len(want), want)
	}
	if v := srv.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/webhooks"
)

// slackPost sends a request signed as Slack would to the running service.
func (s *service) slackPost(path, contentType string, body []byte) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+path, bytes.NewReader(body))
	for k, v := range webhooks.SignSlack(s.env["SLACK_SIGNING_SECRET"], time.Now(), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestE2EThreadReplyGoesToThePhoneOnce runs the whole loop through the real
// router: an inbound text opens a thread; a teammate's reply in it, as a
// signed Slack event, sends one SMS to the phone from our number; Slack's
// redelivery of the same event sends nothing more.
func TestE2EThreadReplyGoesToThePhoneOnce(t *testing.T) {
	tnx := faketelnyx.New(t)
	s := newService(t)
	s.env["TELNYX_API_URL"] = tnx.BaseURL
	s.start()
	s.webhook(sms("e1", "m1", "+13125550123", "+18445550001", "is the site down?"))
	waitReplies(t, s.slack, "CINBOX", 1)
	s.waitThreadsStored(1)
	headers, _ := threads(s.slack, "CINBOX")

	event := func(id string) []byte {
		b, _ := json.Marshal(map[string]any{
			"type": "event_callback", "event_id": id, "event_time": time.Now().Unix(), "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID,
			"event": map[string]any{
				"type": "message", "channel": "CINBOX", "user": "U0AGENT", "text": "Not down, we are deploying. Back in 5.",
				"ts": "1800000000.000200", "thread_ts": headers[0].TS, "channel_type": "channel", "event_ts": "1800000000.000200",
			},
		})
		return b
	}
	if code, body := s.slackPost("/slack/events", "application/json", event("Ev1")); code != http.StatusOK {
		t.Fatalf("event: %d %s", code, body)
	}
	s.slack.WaitFor(func() bool { return len(tnx.RequestsTo("POST /messages")) == 1 }, 10*time.Second)
	// Slack redelivers the same event (a retry), and the same message again
	// under a new event id: neither sends.
	s.slackPost("/slack/events", "application/json", event("Ev1"))
	s.slackPost("/slack/events", "application/json", event("Ev2"))
	time.Sleep(300 * time.Millisecond)
	sends := tnx.RequestsTo("POST /messages")
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	got := sends[0].BodyMap()
	if got["from"] != "+18445550001" || got["to"] != "+13125550123" || got["text"] != "Not down, we are deploying. Back in 5." {
		t.Fatalf("sent %v", got)
	}
	if v := tnx.Violations(); len(v) != 0 {
		t.Fatalf("requests the Telnyx spec rejects: %v", v)
	}
}

// TestE2ESlashCommandIsSignedAndAnswered checks /sms through the real
// router: a signed command is answered, a badly signed one is refused.
func TestE2ESlashCommandIsSignedAndAnswered(t *testing.T) {
	s := newService(t)
	s.start()
	form := url.Values{"command": {"/sms"}, "text": {"help"}, "user_id": {"U0AGENT"}, "channel_id": {"CINBOX"},
		"team_id": {fakeslack.TeamID}, "response_url": {s.slack.ResponseURL()}, "trigger_id": {"1.2.3"}}
	code, body := s.slackPost("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if code != http.StatusOK || !strings.Contains(body, "/sms send") || !strings.Contains(body, "/sms schedule") {
		t.Fatalf("help: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/slack/commands", strings.NewReader(form.Encode()))
	req.Header.Set("X-Slack-Signature", "v0=deadbeef")
	req.Header.Set("X-Slack-Request-Timestamp", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned command: %d", resp.StatusCode)
	}
}

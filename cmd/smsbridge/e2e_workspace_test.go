package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// TestE2ESlackRequestsFromAnotherWorkspaceHaveNoEffect sends signed events,
// commands and button presses that name another workspace, organisation or
// app through the real router: each is acknowledged (so Slack does not
// retry it) and does nothing: no SMS, no post, no header change.
func TestE2ESlackRequestsFromAnotherWorkspaceHaveNoEffect(t *testing.T) {
	tnx := faketelnyx.New(t)
	s := newService(t)
	s.env["TELNYX_API_URL"] = tnx.BaseURL
	s.env["SLACK_APP_ID"] = fakeslack.AppID
	s.start()
	s.webhook(sms("e1", "m1", "+13125550123", "+18445550001", "is the site down?"))
	waitReplies(t, s.slack, "CINBOX", 1)
	s.waitThreadsStored(1)
	headers, _ := threads(s.slack, "CINBOX")

	event := func(id, team, enterprise, app string) []byte {
		b, _ := json.Marshal(map[string]any{
			"type": "event_callback", "event_id": id, "event_time": time.Now().Unix(),
			"team_id": team, "enterprise_id": enterprise, "api_app_id": app,
			"event": map[string]any{
				"type": "message", "channel": "CINBOX", "user": "U0AGENT", "text": "you have won a prize",
				"ts": "1800000000.000" + id[len(id)-3:], "thread_ts": headers[0].TS, "channel_type": "channel", "event_ts": "1800000000.000200",
			},
		})
		return b
	}
	command := func(team, enterprise, app string) []byte {
		return []byte(url.Values{"command": {"/sms"}, "text": {"send +13125550123 you have won a prize"}, "user_id": {"U0AGENT"},
			"channel_id": {"CINBOX"}, "team_id": {team}, "enterprise_id": {enterprise}, "api_app_id": {app},
			"response_url": {s.slack.ResponseURL()}, "trigger_id": {"1.2.3"}}.Encode())
	}
	press := func(team, enterprise, app string) []byte {
		cb, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0AGENT"},
			"team": map[string]any{"id": team}, "enterprise": map[string]any{"id": enterprise}, "api_app_id": app,
			"actions": []any{map[string]any{"action_id": "conv_claim", "block_id": "conv_actions_1", "value": "1", "type": "button"}}})
		return []byte(url.Values{"payload": {string(cb)}}.Encode())
	}
	others := []struct{ name, team, enterprise, app string }{
		{"another workspace", "T0OTHER", "", fakeslack.AppID},
		{"another organisation", "T0OTHER", "E0OTHER", fakeslack.AppID},
		{"no workspace", "", "", fakeslack.AppID},
		{"another app", fakeslack.TeamID, "", "A0OTHER"},
	}
	updatesBefore := len(s.slack.Calls("chat.update"))
	for i, o := range others {
		t.Run(o.name, func(t *testing.T) {
			if code, body := s.slackPost("/slack/events", "application/json", event("EvX00"+string(rune('0'+i)), o.team, o.enterprise, o.app)); code != http.StatusOK {
				t.Fatalf("event: %d %s", code, body)
			}
			code, body := s.slackPost("/slack/commands", "application/x-www-form-urlencoded", command(o.team, o.enterprise, o.app))
			if code != http.StatusOK || !strings.Contains(body, "does not serve your workspace") {
				t.Fatalf("command: %d %s", code, body)
			}
			if code, body := s.slackPost("/slack/interactivity", "application/x-www-form-urlencoded", press(o.team, o.enterprise, o.app)); code != http.StatusOK {
				t.Fatalf("interaction: %d %s", code, body)
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // let anything queued run
	// The service's own lookups (our numbers, at start) are not caused by
	// the requests; anything that changes or sends would be.
	var caused []string
	for _, r := range tnx.Requests() {
		if !strings.HasPrefix(r.Route, "GET ") {
			caused = append(caused, r.Route)
		}
	}
	if len(caused) != 0 {
		t.Fatalf("Telnyx requests from other workspaces: %v", caused)
	}
	if _, replies := threads(s.slack, "CINBOX"); len(replies[headers[0].TS]) != 1 {
		t.Fatalf("the thread changed: %q", replies[headers[0].TS])
	}
	if n := len(s.slack.Calls("chat.update")); n != updatesBefore {
		t.Fatalf("the header was updated %d times", n-updatesBefore)
	}

	// The same press from our workspace does act, so the refusals above
	// are the workspace check and not a broken request.
	if code, _ := s.slackPost("/slack/interactivity", "application/x-www-form-urlencoded", press(fakeslack.TeamID, "", fakeslack.AppID)); code != http.StatusOK {
		t.Fatalf("our press: %d", code)
	}
	s.slack.WaitFor(func() bool { return len(s.slack.Calls("chat.update")) > updatesBefore }, 10*time.Second)
}

func TestE2ESlashCommandWithoutAFormIsRefused(t *testing.T) {
	s := newService(t)
	s.start()
	for _, tc := range []struct{ name, ct, body string }{
		{"empty", "application/x-www-form-urlencoded", ""},
		{"JSON", "application/json", `{"command":"/sms","text":"send +13125550123 hi","team_id":"` + fakeslack.TeamID + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := s.slackPost("/slack/commands", tc.ct, []byte(tc.body)); code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", code, body)
			}
		})
	}
}

package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// Who may cancel a scheduled message, through the real router with signed
// requests: not a teammate who neither scheduled it nor holds its
// conversation nor is an admin; its author may.
func TestE2EOnlyTheAuthorOrAnAdminCancelsAScheduledMessage(t *testing.T) {
	tnx := faketelnyx.New(t)
	s := newService(t)
	s.env["TELNYX_API_URL"] = tnx.BaseURL
	s.env["SMSBRIDGE_ADMINS"] = "U0ADMIN"
	s.start()
	command := func(user, text string) string {
		t.Helper()
		body := []byte(url.Values{"command": {"/sms"}, "text": {text}, "user_id": {user}, "channel_id": {"CSECOND"},
			"team_id": {fakeslack.TeamID}, "response_url": {s.slack.ResponseURL()}, "trigger_id": {"t-" + user + text}}.Encode())
		code, answer := s.slackPost("/slack/commands", "application/x-www-form-urlencoded", body)
		if code != http.StatusOK {
			t.Fatalf("/sms %s: %d %s", text, code, answer)
		}
		return answer
	}
	if got := command("U0ALICE", "schedule in 2 weeks +13125550123 see you then"); !strings.Contains(got, "Scheduled #1") {
		t.Fatalf("schedule answered %s", got)
	}
	if got := command("U0BOB", "cancel 1"); !strings.Contains(got, "Cannot cancel 1") || !strings.Contains(got, "U0ALICE") {
		t.Fatalf("a stranger's cancel answered %s", got)
	}
	if got := command("U0ALICE", "cancel 1"); !strings.Contains(got, "Cancelled scheduled message 1") {
		t.Fatalf("the author's cancel answered %s", got)
	}
	if got := command("U0ALICE", "schedule in 2 weeks +13125550123 again"); !strings.Contains(got, "Scheduled #2") {
		t.Fatalf("schedule answered %s", got)
	}
	if got := command("U0ADMIN", "cancel 2"); !strings.Contains(got, "Cancelled scheduled message 2") {
		t.Fatalf("an admin's cancel answered %s", got)
	}
}

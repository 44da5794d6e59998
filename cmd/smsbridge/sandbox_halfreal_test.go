package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/sandbox"
	"github.com/smsbridge/smsbridge/webhooks"
)

// realSlack is a fakeslack server standing in for slack.com in a
// half-real sandbox: the service reaches it through SLACK_API_URL, as it
// would reach Slack, and the test plays Slack's side (signed events to the
// service's LISTEN_ADDR).
type realSlack struct {
	*fakeslack.Server
	secret, listen string
}

const (
	realChannel  = "CREALINBOX"
	realTeammate = "U0REALDEV"
)

func newRealSlack(t *testing.T) *realSlack {
	t.Helper()
	rs := &realSlack{Server: fakeslack.New(t), secret: "real-signing-secret"}
	ch := slack.Channel{}
	ch.ID, ch.Name, ch.IsChannel, ch.IsMember = realChannel, "sms", true, true
	rs.AddChannel(ch)
	rs.AddUser(slack.User{ID: realTeammate, Name: "dev", RealName: "Dev", TeamID: fakeslack.TeamID, TZ: "UTC",
		Profile: slack.UserProfile{DisplayName: "dev", RealName: "Dev"}})
	addr, err := freeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	rs.listen = addr
	return rs
}

// env is what a team sets to try the sandbox in its own Slack.
func (rs *realSlack) env() map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN":      rs.Token(),
		"SLACK_SIGNING_SECRET": rs.secret,
		"SLACK_API_URL":        rs.URL(),
		"SLACK_CHANNEL":        realChannel,
		"LISTEN_ADDR":          rs.listen,
	}
}

// reply is a teammate replying in a thread in the real Slack: the message
// is added there and Slack sends the service its signed message event.
func (rs *realSlack) reply(t *testing.T, threadTS, text string) {
	t.Helper()
	ts := rs.AddUserMessage(realChannel, threadTS, realTeammate, text)
	body, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "type": "event_callback",
		"event_id": "EvREAL" + strings.ReplaceAll(ts, ".", ""), "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel": realChannel, "user": realTeammate, "text": text,
			"ts": ts, "event_ts": ts, "thread_ts": threadTS, "channel_type": "channel", "team": fakeslack.TeamID},
	})
	req, _ := http.NewRequest(http.MethodPost, "http://"+rs.listen+"/slack/events", bytes.NewReader(body))
	for k, v := range webhooks.SignSlack(rs.secret, time.Now(), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the service answered Slack's event with %d: %s", resp.StatusCode, b)
	}
}

// TestSandboxHalfRealUsesTheRealSlackAndSimulatedPhones runs `smsbridge
// sandbox` with a Slack app configured and no Telnyx settings: a phone's
// text arrives in that Slack (reached through SLACK_API_URL) marked as the
// sandbox's, a thread reply there goes back to the phone through the
// simulated carrier and is delivered, and the page offers no Slack pane of
// its own: its state has no workspace messages and its Slack actions are
// refused.
func TestSandboxHalfRealUsesTheRealSlackAndSimulatedPhones(t *testing.T) {
	real := newRealSlack(t)
	rs := startSandbox(t, real.env())
	if rs.sb.Slack != nil {
		t.Fatal("half-real: the sandbox started a simulated workspace")
	}
	if !strings.Contains(rs.stdout.String(), "your real Slack") {
		t.Errorf("the sandbox did not say it runs against the real Slack: %q", rs.stdout.String())
	}
	phone := "+13125550100"
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": "+18445550001", "text": "Is the shop open today?"})
	var header recorded.Message
	rs.await(t, "the text posted in the real Slack's channel", func() bool {
		heads := real.Messages(realChannel)
		if len(heads) == 0 {
			return false
		}
		header = heads[0]
		// A conversation's first text rides in its header (coalescing).
		if strings.Contains(header.Text+header.BlockText(), "Is the shop open today?") {
			return true
		}
		for _, r := range real.ThreadReplies(realChannel, header.TS) {
			if strings.Contains(r.Text+r.BlockText(), "Is the shop open today?") {
				return true
			}
		}
		return false
	})
	real.reply(t, header.TS, "Yes, until six.")
	rs.await(t, "the reply delivered to the phone", func() bool {
		for _, m := range rs.sb.Carrier.Sent() {
			to := m["to"].([]any)[0].(map[string]any)
			if m["text"] == "Yes, until six." && to["phone_number"] == phone && to["status"] == "delivered" {
				return true
			}
		}
		return false
	})

	var st struct {
		RealSlack bool              `json:"real_slack"`
		Messages  []json.RawMessage `json:"messages"`
		Phones    []struct {
			Number   string `json:"number"`
			Messages []struct {
				Dir, Text, Status string
			} `json:"messages"`
		} `json:"phones"`
	}
	getJSON(t, rs.page+"api/state", &st)
	if !st.RealSlack || len(st.Messages) != 0 {
		t.Errorf("page state: real_slack=%v with %d workspace messages, want true and none", st.RealSlack, len(st.Messages))
	}
	var shown []string
	for _, p := range st.Phones {
		if p.Number == phone {
			for _, m := range p.Messages {
				shown = append(shown, fmt.Sprintf("%s %q %s", m.Dir, m.Text, m.Status))
			}
		}
	}
	if want := `out "Yes, until six." delivered`; !strings.Contains(strings.Join(shown, "\n"), want) {
		t.Errorf("the phone shows %q, want %s among them", shown, want)
	}
	resp, err := http.Post(rs.page+"api/slack/say", "application/json", strings.NewReader(`{"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("the page's Slack pane answered %d in half-real mode, want 409", resp.StatusCode)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for addr, ok := range rs.dials {
		if ok && !strings.HasPrefix(addr, "127.0.0.1:") && !strings.HasPrefix(addr, "[::1]:") {
			t.Errorf("the half-real sandbox dialled %s", addr)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestSandboxRefusesTelnyxSettings pins the rule: the sandbox never uses a
// real Telnyx account. Any Telnyx setting, in full or half-real mode,
// stops it before it starts anything, with the settings named and what to
// do, and nothing is dialled.
func TestSandboxRefusesTelnyxSettings(t *testing.T) {
	real := newRealSlack(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"full", map[string]string{"TELNYX_API_KEY": "KEYreal"}, []string{"TELNYX_API_KEY is set", "unset it"}},
		{"half-real", func() map[string]string {
			e := real.env()
			e["TELNYX_API_URL"], e["TELNYX_PUBLIC_KEY"] = "https://api.telnyx.com/v2", "abc"
			return e
		}(), []string{"TELNYX_PUBLIC_KEY, TELNYX_API_URL are set", "unset them"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr syncWriter
			dialled := false
			hooks := sandboxHooks{
				ready: func(*sandbox.Sandbox, string) { t.Error("the sandbox served its page") },
				seen:  func(string, bool) { dialled = true },
			}
			code := sandboxRun(t.Context(), func(k string) string { return tc.env[k] }, io.Discard, &stderr, hooks)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range append(tc.want, "never uses a real Telnyx account") {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q does not say %q", stderr.String(), w)
				}
			}
			if dialled {
				t.Error("the sandbox dialled something before refusing")
			}
		})
	}
}

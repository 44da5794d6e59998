package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/sandbox"
	"github.com/smsbridge/smsbridge/webhooks"
)

// slackSide is whoever plays Slack towards the service in a sandbox: the
// page (full mode) or the real Slack (half-real, a fakeslack standing in).
type slackSide struct {
	srv     *fakeslack.Server
	channel string
	say     func(t *testing.T, threadTS, text string)
	command func(t *testing.T, text string) (ack []byte)
	press   func(t *testing.T, m recorded.Message, action map[string]any)
	home    func(t *testing.T)
}

// pageSide drives the full sandbox through its page's API.
func pageSide(rs *runningSandbox) slackSide {
	return slackSide{srv: rs.sb.Slack, channel: sandbox.Channel,
		say: func(t *testing.T, threadTS, text string) {
			rs.post(t, "/api/slack/say", map[string]any{"thread_ts": threadTS, "text": text})
		},
		command: func(t *testing.T, text string) []byte {
			rs.post(t, "/api/slack/say", map[string]any{"text": "/sms " + text})
			answers := rs.sb.State().Answers
			a := answers[len(answers)-1]
			b, _ := json.Marshal(map[string]any{"text": a.Text, "blocks": a.Blocks})
			return b
		},
		press: func(t *testing.T, m recorded.Message, action map[string]any) {
			rs.post(t, "/api/slack/action", map[string]any{"ts": m.TS, "action": action})
		},
		home: func(t *testing.T) { rs.post(t, "/api/slack/home", map[string]any{}) },
	}
}

// realSide plays the real Slack towards a half-real sandbox: signed
// requests to the service's LISTEN_ADDR, as Slack sends them.
func realSide(real *realSlack) slackSide {
	seq := 0
	signed := func(t *testing.T, path, ct string, body []byte) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+real.listen+path, bytes.NewReader(body))
		for k, v := range webhooks.SignSlack(real.secret, time.Now(), body) {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: the service answered %d: %s", path, resp.StatusCode, b)
		}
		return b
	}
	trigger := func() string { seq++; return fmt.Sprintf("%d.%d.real", time.Now().Unix(), seq) }
	user := map[string]any{"id": realTeammate, "username": "dev", "name": "dev", "team_id": fakeslack.TeamID}
	return slackSide{srv: real.Server, channel: realChannel,
		say: real.reply,
		command: func(t *testing.T, text string) []byte {
			form := url.Values{"token": {"x"}, "team_id": {fakeslack.TeamID}, "team_domain": {"real"},
				"channel_id": {realChannel}, "channel_name": {"sms"}, "user_id": {realTeammate}, "user_name": {"dev"},
				"command": {"/sms"}, "text": {text}, "api_app_id": {fakeslack.AppID},
				"response_url": {real.ResponseURL()}, "trigger_id": {trigger()}}
			return signed(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
		},
		press: func(t *testing.T, m recorded.Message, action map[string]any) {
			action["action_ts"] = fmt.Sprintf("%d.000001", time.Now().Unix())
			p := map[string]any{"type": "block_actions", "token": "x", "api_app_id": fakeslack.AppID, "trigger_id": trigger(),
				"team": map[string]any{"id": fakeslack.TeamID, "domain": "real"}, "user": user,
				"actions": []any{action}, "response_url": real.ResponseURL(),
				"container": map[string]any{"type": "message", "message_ts": m.TS, "channel_id": realChannel, "is_ephemeral": false},
				"channel":   map[string]any{"id": realChannel, "name": "sms"},
				"message":   map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "bot_id": fakeslack.BotID, "blocks": m.Blocks}}
			raw, _ := json.Marshal(p)
			signed(t, "/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(raw)}}.Encode()))
		},
		home: func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"token": "x", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID,
				"type": "event_callback", "event_id": "EvHOME" + trigger(), "event_time": time.Now().Unix(),
				"event": map[string]any{"type": "app_home_opened", "user": realTeammate, "channel": "D" + realTeammate,
					"tab": "home", "event_ts": fmt.Sprintf("%d.000100", time.Now().Unix())}})
			signed(t, "/slack/events", "application/json", body)
		},
	}
}

// button is the element with actionID in m's blocks, as an interaction
// reports it.
func button(t *testing.T, m recorded.Message, actionID string) map[string]any {
	t.Helper()
	var blocks []struct {
		Type     string           `json:"type"`
		BlockID  string           `json:"block_id"`
		Elements []map[string]any `json:"elements"`
	}
	_ = json.Unmarshal(m.Blocks, &blocks)
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e["action_id"] == actionID {
				return map[string]any{"action_id": actionID, "block_id": b.BlockID, "type": e["type"], "value": e["value"]}
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, m.Blocks)
	return nil
}

// unmarked says how a post (its text and blocks) fails to say it comes
// from the sandbox, or "".
func unmarked(text string, blocks json.RawMessage) string {
	var why []string
	if text != "" && !strings.HasPrefix(text, sandbox.TextMarker) {
		why = append(why, fmt.Sprintf("text %.60q has no %q", text, sandbox.TextMarker))
	}
	var bs []json.RawMessage
	if len(blocks) > 0 && string(blocks) != "null" {
		_ = json.Unmarshal(blocks, &bs)
		marker, _ := json.Marshal(sandbox.Marker)
		if len(bs) == 0 || !jsonEqual(bs[0], marker) {
			why = append(why, "its first block is not the sandbox's marker")
		}
	}
	return strings.Join(why, "; ")
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TestSandboxMarksEveryPost runs the sandbox, in full and half-real mode,
// through every kind of thing the service shows in Slack: a header and the
// text in its thread (chat.postMessage), the header changed by Claim
// (chat.update), the ephemeral answer to a second Claim (response_url), a
// reply's delivered reaction, the opt-out note after STOP, a command's
// acknowledgement (/sms help), a modal (/sms: views.open) and the App Home
// (views.publish). Every one carries the sandbox's mark: "[sandbox]" before
// its text and the marker context block first.
func TestSandboxMarksEveryPost(t *testing.T) {
	for _, mode := range []string{"full", "half-real"} {
		t.Run(mode, func(t *testing.T) {
			var rs *runningSandbox
			var side slackSide
			if mode == "full" {
				rs = startSandbox(t, nil)
				side = pageSide(rs)
			} else {
				real := newRealSlack(t)
				rs = startSandbox(t, real.env())
				side = realSide(real)
			}
			checkEveryPostMarked(t, rs, side)
		})
	}
}

func checkEveryPostMarked(t *testing.T, rs *runningSandbox, side slackSide) {
	srv, phone := side.srv, "+13125550100"
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": "+18445550001", "text": "Hello there"})
	var header recorded.Message
	// A conversation's first text rides in its header (coalescing).
	rs.await(t, "the header holding the text", func() bool {
		heads := srv.Messages(side.channel)
		if len(heads) == 0 {
			return false
		}
		header = heads[0]
		return strings.Contains(header.Text+header.BlockText(), "Hello there")
	})
	claim := button(t, header, "conv_claim")
	side.press(t, header, claim)
	rs.await(t, "the header updated by Claim", func() bool {
		m, _ := srv.Message(side.channel, header.TS)
		return m.Updates > 0
	})
	side.press(t, header, claim) // the stale header's button again: told, only them
	rs.await(t, "the ephemeral answer to the second Claim", func() bool { return len(srv.Calls(fakeslack.MethodResponseURL)) > 0 })
	side.say(t, header.TS, "Hi! How can we help?")
	rs.await(t, "the reply delivered", func() bool {
		sent := rs.sb.Carrier.Sent()
		return len(sent) == 1 && sent[0]["to"].([]any)[0].(map[string]any)["status"] == "delivered"
	})
	before := len(srv.ThreadReplies(side.channel, header.TS))
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": "+18445550001", "text": "STOP"})
	rs.await(t, "the opt-out note", func() bool { return len(srv.ThreadReplies(side.channel, header.TS)) > before+1 })
	acks := map[string][]byte{"/sms help": side.command(t, "help")}
	side.command(t, "")
	rs.await(t, "the compose modal", func() bool { return len(srv.Views()) > 0 })
	side.home(t)
	rs.await(t, "the App Home", func() bool {
		for _, v := range srv.Views() {
			if v.Type == "home" {
				return true
			}
		}
		return false
	})

	checked := map[string]int{}
	check := func(kind, text string, blocks json.RawMessage) {
		t.Helper()
		checked[kind]++
		if why := unmarked(text, blocks); why != "" {
			t.Errorf("%s: %s", kind, why)
		}
	}
	for _, m := range srv.Messages(side.channel) {
		check(fmt.Sprintf("header (%d updates)", m.Updates), m.Text, m.Blocks)
		for _, r := range srv.ThreadReplies(side.channel, m.TS) {
			if r.User == fakeslack.BotUserID {
				check("thread post", r.Text, r.Blocks)
			}
		}
	}
	for _, e := range srv.Ephemerals(side.channel) {
		check("chat.postEphemeral", e.Text, e.Blocks)
	}
	for _, c := range srv.Calls(fakeslack.MethodResponseURL) {
		var p struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(c.JSON, &p)
		check("response_url post", p.Text, p.Blocks)
	}
	for cmd, ack := range acks {
		var p struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(ack, &p)
		if p.Text == "" && len(p.Blocks) == 0 {
			t.Errorf("%s: no acknowledgement to check: %s", cmd, ack)
		}
		check(cmd+" acknowledgement", p.Text, p.Blocks)
	}
	for _, v := range srv.Views() {
		var view struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(v.JSON, &view)
		check("view "+v.Type, "", view.Blocks)
	}
	if m, _ := srv.Message(side.channel, header.TS); m.Updates == 0 {
		t.Error("no header was updated, so chat.update was not checked")
	}
	for _, kind := range []string{"thread post", "response_url post", "view modal", "view home"} {
		if checked[kind] == 0 {
			t.Errorf("no %s was checked: %v", kind, checked)
		}
	}
	t.Logf("checked: %v", checked)
}

package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/webhooks"
)

// What the page's Slack pane does reaches the service as Slack sends it:
// signed with the signing secret, to the same routes, in the same
// formats (an Events API envelope, a slash command form, an interaction
// payload form field).

// answer is what the service said back outside the channel: a slash
// command's acknowledgement and the posts to its response_url, or the
// posts to an interaction's response_url.
type answer struct {
	Seq         int64           `json:"seq"`
	Command     string          `json:"command,omitempty"` // "/sms …", for a command
	ResponseURL string          `json:"-"`
	Parent      int64           `json:"-"` // the answer whose button made this one
	Ack         json.RawMessage `json:"-"` // the command's HTTP answer, when JSON
	AckText     string          `json:"-"` // the command's HTTP answer, when plain text
	Errors      map[string]string
}

// signedPost posts body to the service as Slack does.
func (s *Sandbox) signedPost(ctx context.Context, path, contentType string, body []byte) (int, []byte, error) {
	s.mu.Lock()
	base := s.service
	s.mu.Unlock()
	if base == "" {
		return 0, nil, fmt.Errorf("the service is not running yet")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range webhooks.SignSlack(s.secret, time.Now(), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, nil
}

// checked turns a non-2xx answer into an error the page shows.
func checked(status int, body []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if status/100 != 2 {
		return nil, fmt.Errorf("the service answered %d: %s", status, bytes.TrimSpace(body))
	}
	return body, nil
}

// event posts one Events API event in its envelope.
func (s *Sandbox) event(ctx context.Context, ev map[string]any) error {
	body, _ := json.Marshal(map[string]any{
		"token": "sandbox", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "type": "event_callback",
		"event_id": fmt.Sprintf("EvSB%08d", s.next()), "event_time": time.Now().Unix(), "event": ev,
	})
	_, err := checked(s.signedPost(ctx, "/slack/events", "application/json", body))
	return err
}

// Say is a teammate writing in the channel, or in a thread when threadTS
// is set: the message is added to the workspace and sent as a message event.
func (s *Sandbox) Say(ctx context.Context, user, threadTS, text string) error {
	ts := s.Slack.AddUserMessage(Channel, threadTS, user, text)
	ev := map[string]any{"type": "message", "channel": Channel, "user": user, "text": text, "ts": ts,
		"event_ts": ts, "channel_type": "channel", "team": fakeslack.TeamID}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return s.event(ctx, ev)
}

// OpenHome is the user opening the App Home tab.
func (s *Sandbox) OpenHome(ctx context.Context, user string) error {
	return s.event(ctx, map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user,
		"tab": "home", "event_ts": fmt.Sprintf("%d.000100", time.Now().Unix())})
}

func (s *Sandbox) trigger() string { return fmt.Sprintf("%d.%d.sandbox", time.Now().Unix(), s.next()) }

// Command runs "/sms text" as user in the inbox channel.
func (s *Sandbox) Command(ctx context.Context, user, text string) error {
	a := answer{Seq: s.next(), Command: "/sms " + text, ResponseURL: s.Slack.ResponseURL()}
	form := url.Values{
		"token": {"sandbox"}, "team_id": {fakeslack.TeamID}, "team_domain": {"sandbox"},
		"channel_id": {Channel}, "channel_name": {ChannelName}, "user_id": {user}, "user_name": {userName(user)},
		"command": {"/sms"}, "text": {text}, "api_app_id": {fakeslack.AppID},
		"response_url": {a.ResponseURL}, "trigger_id": {s.trigger()},
	}
	body, err := checked(s.signedPost(ctx, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode())))
	if err != nil {
		return err
	}
	if json.Valid(body) {
		a.Ack = body
	} else {
		a.AckText = string(body)
	}
	s.mu.Lock()
	s.answers = append(s.answers, a)
	s.mu.Unlock()
	s.hub.changed()
	return nil
}

func userName(id string) string {
	if id == Teammate {
		return "alex"
	}
	return "you"
}

// ActionRequest is a press on an interactive element the page shows.
type ActionRequest struct {
	User   string         `json:"user"`
	TS     string         `json:"ts,omitempty"`     // a channel message's element
	Answer int64          `json:"answer,omitempty"` // an ephemeral answer's element
	ViewID string         `json:"view_id,omitempty"`
	Values map[string]any `json:"values,omitempty"` // the view's state so far
	// Action is the element as Slack reports it: action_id, block_id, type
	// and value, selected_option or selected_user.
	Action map[string]any `json:"action"`
}

// Act sends a block_actions interaction, as Slack does on a press.
func (s *Sandbox) Act(ctx context.Context, r ActionRequest) error {
	a := answer{Seq: s.next(), ResponseURL: s.Slack.ResponseURL(), Parent: r.Answer}
	r.Action["action_ts"] = fmt.Sprintf("%d.%06d", time.Now().Unix(), a.Seq)
	p := s.interaction("block_actions", r.User)
	p["actions"], p["response_url"] = []any{r.Action}, a.ResponseURL
	switch {
	case r.ViewID != "":
		view, ok := s.viewJSON(r.ViewID, r.Values)
		if !ok {
			return fmt.Errorf("no view %s", r.ViewID)
		}
		p["container"], p["view"] = map[string]any{"type": "view", "view_id": r.ViewID}, view
		delete(p, "response_url")
	case r.Answer != 0:
		p["container"] = map[string]any{"type": "message", "channel_id": Channel, "is_ephemeral": true}
		p["channel"] = map[string]any{"id": Channel, "name": ChannelName}
	default:
		m, ok := s.Slack.Message(Channel, r.TS)
		if !ok {
			return fmt.Errorf("no message %s", r.TS)
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "bot_id": fakeslack.BotID}
		if len(m.Blocks) > 0 {
			msg["blocks"] = m.Blocks
		}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		p["container"] = map[string]any{"type": "message", "message_ts": m.TS, "channel_id": Channel, "is_ephemeral": false}
		p["channel"], p["message"] = map[string]any{"id": Channel, "name": ChannelName}, msg
	}
	if _, err := s.postInteraction(ctx, p); err != nil {
		return err
	}
	s.mu.Lock()
	s.answers = append(s.answers, a)
	s.mu.Unlock()
	return nil
}

// interaction is the common part of an interaction payload.
func (s *Sandbox) interaction(typ, user string) map[string]any {
	return map[string]any{
		"type": typ, "token": "sandbox", "api_app_id": fakeslack.AppID, "trigger_id": s.trigger(),
		"team": map[string]any{"id": fakeslack.TeamID, "domain": "sandbox"},
		"user": map[string]any{"id": user, "username": userName(user), "name": userName(user), "team_id": fakeslack.TeamID},
	}
}

func (s *Sandbox) postInteraction(ctx context.Context, payload map[string]any) ([]byte, error) {
	raw, _ := json.Marshal(payload)
	form := url.Values{"payload": {string(raw)}}
	return checked(s.signedPost(ctx, "/slack/interactivity", "application/x-www-form-urlencoded", []byte(form.Encode())))
}

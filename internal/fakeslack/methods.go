package fakeslack

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
)

// handler answers one Web API method with the server lock held. It returns
// the response fields (without "ok") or a Slack error code; on error the
// fields, if any, are added to the error response.
type handler func(s *Server, req *request) (map[string]any, string)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"auth.test":          (*Server).authTest,
		"chat.postMessage":   (*Server).chatPostMessage,
		"chat.update":        (*Server).chatUpdate,
		"chat.postEphemeral": (*Server).chatPostEphemeral,
		"chat.getPermalink":  (*Server).chatGetPermalink,
		"reactions.add":      (*Server).reactionsAdd,
		"reactions.remove":   (*Server).reactionsRemove,
		"users.info":         (*Server).usersInfo,
		"conversations.info": (*Server).conversationsInfo,
		// App Home and modals (package views).
		"views.publish": func(s *Server, req *request) (map[string]any, string) { return s.views.Publish(req.raw) },
		"views.open":    func(s *Server, req *request) (map[string]any, string) { return s.views.Open(req.raw) },
		"views.push":    func(s *Server, req *request) (map[string]any, string) { return s.views.Open(req.raw) },
		"views.update":  func(s *Server, req *request) (map[string]any, string) { return s.views.Update(req.raw) },
	}
}

func (s *Server) authTest(*request) (map[string]any, string) {
	return map[string]any{
		"url": WorkspaceURL, "team": s.teamName, "user": "smsbridge",
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID,
	}, ""
}

// messageJSON is the message object Slack returns from chat.postMessage and chat.update.
func messageJSON(m *recorded.Message) map[string]any {
	out := map[string]any{
		"type": "message", "text": m.Text, "user": m.User, "ts": m.TS,
		"bot_id": BotID, "app_id": AppID, "team": TeamID,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Broadcast {
		out["subtype"] = "thread_broadcast"
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if len(m.Metadata) > 0 {
		out["metadata"] = m.Metadata
	}
	return out
}

// checkChannelLocked answers as Slack does for a channel the bot cannot post in.
func (s *Server) checkChannelLocked(id string) string {
	if id == "" {
		return "channel_not_found"
	}
	if _, ok := s.channels[id]; !ok && strings.HasPrefix(id, "D") {
		return "channel_not_found" // a DM is opened first (conversations.open)
	}
	if c, ok := s.channels[id]; ok {
		if c.IsArchived {
			return "is_archived"
		}
		if !c.IsMember {
			return "not_in_channel"
		}
	}
	return ""
}

// checkMessageContent validates text, blocks and attachments as Slack does.
func checkMessageContent(req *request) (map[string]any, string) {
	code, problems := slacklimits.Message(req.params.Get("text"), req.params.Get("blocks"), req.params.Get("attachments") != "")
	if len(problems) > 0 {
		return map[string]any{"response_metadata": map[string]any{"messages": problems}}, code
	}
	return nil, code
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func (s *Server) chatPostMessage(req *request) (map[string]any, string) {
	channel := req.params.Get("channel")
	if code := s.checkChannelLocked(channel); code != "" {
		return nil, code
	}
	if extra, code := checkMessageContent(req); code != "" {
		return extra, code
	}
	md, problems, code := slacklimits.Metadata(req.params.Get("metadata"))
	if code != "" {
		return map[string]any{"response_metadata": map[string]any{"messages": problems}}, code
	}
	m := &recorded.Message{
		Channel: channel, TS: s.newTSLocked(), ThreadTS: req.params.Get("thread_ts"),
		User: BotUserID, Text: req.params.Get("text"), Blocks: rawOrNil(req.params.Get("blocks")),
		Params: req.params, Metadata: md,
	}
	// reply_broadcast only means something with thread_ts: a top-level
	// post is in the channel anyway.
	if m.ThreadTS != "" {
		switch req.params.Get("reply_broadcast") {
		case "true", "1":
			m.Broadcast = true
		}
	}
	s.messages = append(s.messages, m)
	return map[string]any{"channel": channel, "ts": m.TS, "message": messageJSON(m)}, ""
}

func (s *Server) chatUpdate(req *request) (map[string]any, string) {
	channel, ts := req.params.Get("channel"), req.params.Get("ts")
	if code := s.checkChannelLocked(channel); code != "" {
		return nil, code
	}
	m := s.findLocked(channel, ts)
	if m == nil {
		return nil, "message_not_found"
	}
	if m.User != BotUserID {
		return nil, "cant_update_message"
	}
	if extra, code := checkMessageContent(req); code != "" {
		return extra, code
	}
	md, problems, code := slacklimits.Metadata(req.params.Get("metadata"))
	if code != "" {
		return map[string]any{"response_metadata": map[string]any{"messages": problems}}, code
	}
	if md != nil {
		m.Metadata = md
	}
	// Slack keeps what an update leaves out, except that text replaces text.
	m.Text = req.params.Get("text")
	if b := req.params.Get("blocks"); b != "" {
		m.Blocks = json.RawMessage(b)
	}
	m.Params = req.params
	m.Updates++
	return map[string]any{"channel": channel, "ts": ts, "text": m.Text, "message": messageJSON(m)}, ""
}

func (s *Server) chatPostEphemeral(req *request) (map[string]any, string) {
	channel, user := req.params.Get("channel"), req.params.Get("user")
	if code := s.checkChannelLocked(channel); code != "" {
		return nil, code
	}
	if user == "" {
		return nil, "user_not_in_channel"
	}
	if extra, code := checkMessageContent(req); code != "" {
		return extra, code
	}
	m := recorded.Message{
		Channel: channel, TS: s.newTSLocked(), ThreadTS: req.params.Get("thread_ts"),
		User: user, Text: req.params.Get("text"), Blocks: rawOrNil(req.params.Get("blocks")),
		Params: req.params,
	}
	s.ephemeral = append(s.ephemeral, m)
	return map[string]any{"message_ts": m.TS}, ""
}

func (s *Server) chatGetPermalink(req *request) (map[string]any, string) {
	channel, ts := req.params.Get("channel"), req.params.Get("message_ts")
	if channel == "" {
		return nil, "channel_not_found"
	}
	if s.findLocked(channel, ts) == nil {
		return nil, "message_not_found"
	}
	return map[string]any{"channel": channel, "permalink": Permalink(channel, ts)}, ""
}

// Permalink is the link chat.getPermalink answers for channel/ts.
func Permalink(channel, ts string) string {
	return WorkspaceURL + "archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

func (s *Server) reactionsAdd(req *request) (map[string]any, string) {
	key, name, code := reactionTarget(req)
	if code != "" {
		return nil, code
	}
	if slices.Contains(s.reactions[key], name) {
		return nil, "already_reacted"
	}
	s.reactions[key] = append(s.reactions[key], name)
	return nil, ""
}

func (s *Server) reactionsRemove(req *request) (map[string]any, string) {
	key, name, code := reactionTarget(req)
	if code != "" {
		return nil, code
	}
	i := slices.Index(s.reactions[key], name)
	if i < 0 {
		return nil, "no_reaction"
	}
	s.reactions[key] = slices.Delete(s.reactions[key], i, i+1)
	return nil, ""
}

func reactionTarget(req *request) (key, name, code string) {
	channel, ts := req.params.Get("channel"), req.params.Get("timestamp")
	name = strings.Trim(req.params.Get("name"), ":")
	switch {
	case name == "":
		return "", "", "invalid_name"
	case channel == "" || ts == "":
		return "", "", "bad_timestamp"
	}
	return channel + "/" + ts, name, ""
}

func (s *Server) usersInfo(req *request) (map[string]any, string) {
	u, ok := s.users[req.params.Get("user")]
	if !ok {
		return nil, "user_not_found"
	}
	return map[string]any{"user": u}, ""
}

func (s *Server) conversationsInfo(req *request) (map[string]any, string) {
	id := req.params.Get("channel")
	c, ok := s.channels[id]
	if !ok {
		if id == "" || !strings.ContainsAny(id[:1], "CGD") {
			return nil, "channel_not_found"
		}
		c = slack.Channel{}
		c.ID, c.Name = id, "channel-"+strings.ToLower(id)
		c.IsChannel, c.IsMember = true, true
	}
	return map[string]any{"channel": c}, ""
}

package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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
		"auth.test":                    (*Server).authTest,
		"chat.postMessage":             (*Server).chatPostMessage,
		"chat.update":                  (*Server).chatUpdate,
		"chat.postEphemeral":           (*Server).chatPostEphemeral,
		"chat.getPermalink":            (*Server).chatGetPermalink,
		"reactions.add":                (*Server).reactionsAdd,
		"reactions.remove":             (*Server).reactionsRemove,
		"files.getUploadURLExternal":   (*Server).filesGetUploadURLExternal,
		"files.completeUploadExternal": (*Server).filesCompleteUploadExternal,
		"users.info":                   (*Server).usersInfo,
		"conversations.info":           (*Server).conversationsInfo,
		"views.publish":                (*Server).viewsPublish,
		"views.open":                   (*Server).viewsOpen,
		"views.push":                   (*Server).viewsOpen,
		"views.update":                 (*Server).viewsUpdate,
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

func (s *Server) filesGetUploadURLExternal(req *request) (map[string]any, string) {
	name := req.params.Get("filename")
	length, err := strconv.Atoi(req.params.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, "invalid_arguments"
	}
	id := fmt.Sprintf("F%07d", s.nextLocked())
	s.files[id] = &recorded.Upload{FileID: id, Filename: name, Length: length, AltText: req.params.Get("alt_txt")}
	return map[string]any{"upload_url": s.http.URL + "/upload/" + id, "file_id": id}, ""
}

// serveUpload takes the file bytes POSTed to an upload_url, raw or multipart
// (slack-go sends multipart with the field "file").
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("file")
	content, ctype, err := readUpload(r)

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := Call{Method: MethodUpload, Params: map[string][]string{"file_id": {id}}, ContentType: r.Header.Get("Content-Type")}
	if f, ok := s.takeFailureLocked(MethodUpload); ok {
		call.Failure = &f
		s.calls = append(s.calls, call)
		s.writeFailure(w, f)
		return
	}
	s.calls = append(s.calls, call)
	u, ok := s.files[id]
	if !ok || err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	u.Content, u.ContentType = content, ctype
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

func readUpload(r *http.Request) ([]byte, string, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "multipart/") {
		b, err := io.ReadAll(io.LimitReader(r.Body, 100<<20))
		return b, ct, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, "", fmt.Errorf("no file part: %w", err)
		}
		if part.FormName() == "file" {
			b, err := io.ReadAll(io.LimitReader(part, 100<<20))
			return b, part.Header.Get("Content-Type"), err
		}
	}
}

func (s *Server) filesCompleteUploadExternal(req *request) (map[string]any, string) {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(req.params.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, "invalid_arguments"
	}
	channel := req.params.Get("channel_id")
	if channel == "" {
		channel, _, _ = strings.Cut(req.params.Get("channels"), ",")
	}
	if channel != "" {
		if code := s.checkChannelLocked(channel); code != "" {
			return nil, code
		}
	}
	for _, f := range files {
		u, ok := s.files[f.ID]
		if !ok || u.Content == nil {
			return nil, "file_not_found"
		}
		if u.Completed {
			return nil, "file_already_completed"
		}
	}
	out := make([]map[string]any, 0, len(files))
	var shared *recorded.Message
	if channel != "" {
		shared = &recorded.Message{
			Channel: channel, TS: s.newTSLocked(), ThreadTS: req.params.Get("thread_ts"), User: BotUserID,
			Text: req.params.Get("initial_comment"), Blocks: rawOrNil(req.params.Get("blocks")), Params: req.params,
		}
		s.messages = append(s.messages, shared)
	}
	for _, f := range files {
		u := s.files[f.ID]
		u.Completed, u.Title = true, f.Title
		if u.Title == "" {
			u.Title = u.Filename
		}
		u.Channel, u.ThreadTS, u.InitialComment = channel, req.params.Get("thread_ts"), req.params.Get("initial_comment")
		if shared != nil {
			u.MessageTS = shared.TS
			shared.Files = append(shared.Files, u.FileID)
		}
		s.uploads = append(s.uploads, u)
		out = append(out, map[string]any{"id": u.FileID, "title": u.Title})
	}
	return map[string]any{"files": out}, ""
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

// viewRequest is the body of views.publish, views.open, views.push and views.update.
type viewRequest struct {
	UserID     string          `json:"user_id"`
	TriggerID  string          `json:"trigger_id"`
	ViewID     string          `json:"view_id"`
	ExternalID string          `json:"external_id"`
	Hash       string          `json:"hash"`
	View       json.RawMessage `json:"view"`
}

func (s *Server) decodeView(req *request) (viewRequest, map[string]any, string) {
	var vr viewRequest
	if err := json.Unmarshal(req.raw, &vr); err != nil || len(vr.View) == 0 {
		return vr, nil, "invalid_arguments"
	}
	var v struct {
		Type       string          `json:"type"`
		Blocks     json.RawMessage `json:"blocks"`
		ExternalID string          `json:"external_id"`
	}
	if err := json.Unmarshal(vr.View, &v); err != nil || (v.Type != "home" && v.Type != "modal") {
		return vr, nil, "invalid_arguments"
	}
	if vr.ExternalID == "" {
		vr.ExternalID = v.ExternalID
	}
	if len(v.Blocks) > 0 {
		if problems := slacklimits.ViewBlocks(v.Blocks); len(problems) > 0 {
			return vr, map[string]any{"response_metadata": map[string]any{"messages": problems}}, "invalid_arguments"
		}
	}
	return vr, nil, ""
}

func (s *Server) viewJSONLocked(v *recorded.View) map[string]any {
	var obj map[string]any
	_ = json.Unmarshal(v.JSON, &obj)
	if obj == nil {
		obj = map[string]any{}
	}
	obj["id"], obj["hash"], obj["team_id"], obj["app_id"], obj["bot_id"] = v.ID, v.Hash, TeamID, AppID, BotID
	if v.ExternalID != "" {
		obj["external_id"] = v.ExternalID
	}
	return map[string]any{"view": obj}
}

func (s *Server) newViewLocked(typ string, vr viewRequest) *recorded.View {
	v := &recorded.View{
		ID: fmt.Sprintf("V%07d", s.nextLocked()), Type: typ, UserID: vr.UserID, TriggerID: vr.TriggerID,
		ExternalID: vr.ExternalID, JSON: vr.View,
	}
	v.Hash = fmt.Sprintf("%d.hash%d", 1700000000, s.nextLocked())
	s.views[v.ID] = v
	s.viewOrder = append(s.viewOrder, v.ID)
	return v
}

func (s *Server) viewsPublish(req *request) (map[string]any, string) {
	vr, extra, code := s.decodeView(req)
	if code != "" {
		return extra, code
	}
	if vr.UserID == "" {
		return nil, "invalid_arguments"
	}
	// A user has one App Home: publishing replaces it.
	for _, v := range s.views {
		if v.Type == "home" && v.UserID == vr.UserID {
			if vr.Hash != "" && vr.Hash != v.Hash {
				return nil, "hash_conflict"
			}
			v.JSON, v.Updates = vr.View, v.Updates+1
			v.Hash = fmt.Sprintf("%d.hash%d", 1700000000, s.nextLocked())
			return s.viewJSONLocked(v), ""
		}
	}
	return s.viewJSONLocked(s.newViewLocked("home", vr)), ""
}

func (s *Server) viewsOpen(req *request) (map[string]any, string) {
	vr, extra, code := s.decodeView(req)
	if code != "" {
		return extra, code
	}
	if vr.TriggerID == "" {
		return nil, "invalid_trigger_id"
	}
	return s.viewJSONLocked(s.newViewLocked("modal", vr)), ""
}

func (s *Server) viewsUpdate(req *request) (map[string]any, string) {
	vr, extra, code := s.decodeView(req)
	if code != "" {
		return extra, code
	}
	var v *recorded.View
	for _, cand := range s.views {
		if (vr.ViewID != "" && cand.ID == vr.ViewID) || (vr.ViewID == "" && vr.ExternalID != "" && cand.ExternalID == vr.ExternalID) {
			v = cand
		}
	}
	if v == nil {
		return nil, "not_found"
	}
	if vr.Hash != "" && vr.Hash != v.Hash {
		return nil, "hash_conflict"
	}
	v.JSON, v.Updates = vr.View, v.Updates+1
	v.Hash = fmt.Sprintf("%d.hash%d", 1700000000, s.nextLocked())
	return s.viewJSONLocked(v), ""
}

// serveResponseURL records a post to a response_url. Like Slack, a
// response_url takes at most 5 posts; later ones get 404 used_url.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	full := s.http.URL + r.URL.Path

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := Call{Method: MethodResponseURL, JSON: body, ContentType: r.Header.Get("Content-Type"), Params: map[string][]string{"url": {full}}}
	if f, ok := s.takeFailureLocked(MethodResponseURL); ok {
		call.Failure = &f
		s.calls = append(s.calls, call)
		s.writeFailure(w, f)
		return
	}
	var p struct {
		Text            string          `json:"text"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		call.Error = "invalid_payload"
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	if len(s.responses[full]) >= 5 {
		call.Error = "used_url"
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "used_url"})
		return
	}
	if string(p.Blocks) == "null" {
		p.Blocks = nil
	}
	// A response_url post is held to the same limits as a message.
	if utf8.RuneCountInString(p.Text) > slacklimits.MaxText {
		call.Error = "msg_too_long"
	} else if len(p.Blocks) > 0 {
		if problems := slacklimits.Blocks(p.Blocks); len(problems) > 0 {
			call.Error = "invalid_blocks"
		}
	}
	if call.Error != "" {
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": call.Error})
		return
	}
	s.calls = append(s.calls, call)
	s.responses[full] = append(s.responses[full], recorded.ResponsePost{
		URL: full, JSON: body, Text: p.Text, ResponseType: p.ResponseType,
		ReplaceOriginal: p.ReplaceOriginal, DeleteOriginal: p.DeleteOriginal, Blocks: p.Blocks,
	})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

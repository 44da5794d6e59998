package fakeslack

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// Message is a message as the fake holds it: its latest version after any
// chat.update.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // "" for a top-level message
	// Broadcast is a thread reply posted with reply_broadcast: Slack shows
	// it in the channel too ("also send to channel"), as a message of
	// subtype thread_broadcast.
	Broadcast bool
	User      string // the poster: BotUserID for the bot; the target user for an ephemeral
	Text      string
	Blocks    json.RawMessage // the blocks JSON as sent, nil when none
	// Params are the request's fields (parse, link_names, mrkdwn,
	// unfurl_links, reply_broadcast, ...) of the post or latest update.
	Params  url.Values
	Files   []string // file ids shared by files.completeUploadExternal
	Updates int      // how many chat.update calls changed it
	// Metadata is the message metadata ({event_type, event_payload}) as
	// last sent, nil when none; an update without metadata keeps it.
	Metadata json.RawMessage
}

// MessageMetadata is Metadata decoded.
type MessageMetadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Meta decodes Metadata; the zero value when there is none.
func (m Message) Meta() MessageMetadata {
	var md MessageMetadata
	_ = json.Unmarshal(m.Metadata, &md)
	return md
}

// SlackBlocks decodes Blocks with slack-go.
func (m Message) SlackBlocks() (slack.Blocks, error) {
	var b slack.Blocks
	if len(m.Blocks) == 0 {
		return b, nil
	}
	err := json.Unmarshal(m.Blocks, &b)
	return b, err
}

// BlockText is every "text" string found anywhere in Blocks, joined with
// newlines: handy for asserting what a reader sees.
func (m Message) BlockText() string {
	var v any
	if len(m.Blocks) == 0 || json.Unmarshal(m.Blocks, &v) != nil {
		return ""
	}
	var out []string
	collectText(v, &out)
	return strings.Join(out, "\n")
}

func collectText(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok && k == "text" {
				*out = append(*out, s)
				continue
			}
			collectText(v[k], out)
		}
	case []any:
		for _, e := range v {
			collectText(e, out)
		}
	}
}

// ActionIDs lists the action_id of every element in Blocks, in order.
func (m Message) ActionIDs() []string {
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
		Accessory *struct {
			ActionID string `json:"action_id"`
		} `json:"accessory"`
	}
	_ = json.Unmarshal(m.Blocks, &blocks)
	var ids []string
	for _, b := range blocks {
		if b.Accessory != nil && b.Accessory.ActionID != "" {
			ids = append(ids, b.Accessory.ActionID)
		}
		for _, e := range b.Elements {
			if e.ActionID != "" {
				ids = append(ids, e.ActionID)
			}
		}
	}
	return ids
}

// Upload is a file uploaded with files.getUploadURLExternal and the upload POST.
type Upload struct {
	FileID      string
	Filename    string // as given to files.getUploadURLExternal
	Length      int    // as declared to files.getUploadURLExternal
	AltText     string
	Content     []byte // the bytes POSTed to the upload_url
	ContentType string // of the uploaded part
	// Set by files.completeUploadExternal.
	Completed      bool
	Title          string
	Channel        string
	ThreadTS       string
	InitialComment string
	MessageTS      string // the file_share message it made, when shared to a channel
}

// View is a view as views.publish / views.open / views.push / views.update left it.
type View struct {
	ID         string
	Type       string // "home" or "modal"
	UserID     string // for views.publish
	TriggerID  string // for views.open and views.push
	ExternalID string
	Hash       string
	JSON       json.RawMessage // the view object as last sent
	Updates    int
}

// SlackView decodes JSON with slack-go.
func (v View) SlackView() (slack.View, error) {
	var out slack.View
	err := json.Unmarshal(v.JSON, &out)
	return out, err
}

// ResponsePost is a JSON body posted to a response_url.
type ResponsePost struct {
	URL             string
	JSON            json.RawMessage
	Text            string
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	Blocks          json.RawMessage
}

// Messages returns the top-level messages of channel in order, each in its
// latest version.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == "" {
			out = append(out, m.copy())
		}
	}
	return out
}

// Channel returns what a member sees in channel, in order: its top-level
// messages and the thread replies broadcast to it (reply_broadcast), each
// in its latest version.
func (s *Server) Channel(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && (m.ThreadTS == "" || m.Broadcast) {
			out = append(out, m.copy())
		}
	}
	return out
}

// Broadcasts returns the thread replies of channel that were also sent to
// the channel (reply_broadcast), in order.
func (s *Server) Broadcasts(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.Broadcast {
			out = append(out, m.copy())
		}
	}
	return out
}

// ThreadReplies returns the replies in the thread of channel/threadTS in order
// (the parent excluded), including file shares made into the thread.
func (s *Server) ThreadReplies(channel, threadTS string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == threadTS {
			out = append(out, m.copy())
		}
	}
	return out
}

// Message returns the message channel/ts in its latest version.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findLocked(channel, ts); m != nil {
		return m.copy(), true
	}
	return Message{}, false
}

// Ephemerals returns the chat.postEphemeral messages sent to channel; each
// Message's User is the user who sees it.
func (s *Server) Ephemerals(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.ephemeral {
		if m.Channel == channel {
			out = append(out, m.copy())
		}
	}
	return out
}

// Uploads returns the completed uploads in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.uploads))
	for _, u := range s.uploads {
		c := *u
		c.Content = slices.Clone(u.Content)
		out = append(out, c)
	}
	return out
}

// Reactions returns the names of the bot's reactions on channel/ts, in the
// order they were added.
func (s *Server) Reactions(channel, ts string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions[channel+"/"+ts])
}

// Views returns every view opened or published, in the order first seen,
// each in its latest version.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.viewOrder))
	for _, id := range s.viewOrder {
		out = append(out, *s.views[id])
	}
	return out
}

// HomeView returns the App Home last published for user.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Backward(s.viewOrder) {
		if v := s.views[id]; v.Type == "home" && v.UserID == user {
			return *v, true
		}
	}
	return View{}, false
}

// ResponsePosts returns what was posted to responseURL, in order.
func (s *Server) ResponsePosts(responseURL string) []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.responses[responseURL])
}

// AddUser registers a user for users.info. Fields are sent as slack-go
// marshals them, which are Slack's names (tz, tz_offset, is_admin, is_owner...).
func (s *Server) AddUser(u slack.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddChannel registers a channel for conversations.info. Posting to a
// registered channel whose IsMember is false fails with not_in_channel.
// Unregistered ids that look like channels (C, G, D) are answered with a
// synthesized public channel the bot is a member of.
func (s *Server) AddChannel(c slack.Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
}

// AddUserMessage records a message a person wrote (as if from a Slack event),
// so that reactions and updates can refer to it; it returns its ts.
func (s *Server) AddUserMessage(channel, threadTS, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	m := &Message{Channel: channel, TS: s.newTSLocked(), ThreadTS: threadTS, User: user, Text: text}
	s.messages = append(s.messages, m)
	return m.TS
}

func (s *Server) findLocked(channel, ts string) *Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

func (m *Message) copy() Message {
	c := *m
	c.Blocks = slices.Clone(m.Blocks)
	c.Files = slices.Clone(m.Files)
	c.Metadata = slices.Clone(m.Metadata)
	c.Params = url.Values{}
	for k, v := range m.Params {
		c.Params[k] = slices.Clone(v)
	}
	return c
}

// Package recorded holds what the fake Slack (internal/fakeslack) records
// as values a test reads: messages in their latest version, uploads,
// views and response_url posts, with helpers to decode them (slack-go
// blocks and views, the text a reader sees, action ids, metadata).
//
// It imports nothing of smsbridge.
package recorded

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

// Clone is a deep copy of m, so a caller holding it cannot change what
// the fake holds.
func (m *Message) Clone() Message {
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

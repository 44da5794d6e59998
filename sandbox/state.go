package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
)

// state is everything the page shows, as JSON (GET /api/state).
type state struct {
	Sandbox   bool            `json:"sandbox"`
	RealSlack bool            `json:"real_slack"`
	Workspace string          `json:"workspace"`
	Channel   channelView     `json:"channel"`
	You       string          `json:"you"`
	Users     []userView      `json:"users"`
	Messages  []messageView   `json:"messages,omitempty"`
	Answers   []answerView    `json:"answers,omitempty"`
	Home      json.RawMessage `json:"home,omitempty"`
	HomeID    string          `json:"home_id,omitempty"`
	Modals    []modalView     `json:"modals,omitempty"`
	Numbers   []string        `json:"numbers"`
	Phones    []phoneView     `json:"phones"`
	Running   bool            `json:"running"`
}

type channelView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type userView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type messageView struct {
	TS        string          `json:"ts"`
	ThreadTS  string          `json:"thread_ts,omitempty"`
	User      string          `json:"user"`
	Bot       bool            `json:"bot"`
	Text      string          `json:"text"`
	Blocks    json.RawMessage `json:"blocks,omitempty"`
	Files     []fileView      `json:"files,omitempty"`
	Reactions []string        `json:"reactions,omitempty"`
	Edited    bool            `json:"edited,omitempty"`
	Replies   []messageView   `json:"replies,omitempty"`
	Ephemeral bool            `json:"ephemeral,omitempty"`
}

type fileView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

// answerView is an ephemeral answer ("Only visible to you").
type answerView struct {
	Seq       int64           `json:"seq"`
	Command   string          `json:"command,omitempty"`
	Text      string          `json:"text"`
	Blocks    json.RawMessage `json:"blocks,omitempty"`
	InChannel bool            `json:"in_channel,omitempty"`
}

type modalView struct {
	ID     string            `json:"id"`
	View   json.RawMessage   `json:"view"`
	Errors map[string]string `json:"errors,omitempty"`
}

// ourNumbers are the numbers the simulated account has.
var ourNumbers = []string{"+18445550001", "+18445550002"}

// State is what the page shows now.
func (s *Sandbox) State() state {
	st := state{Sandbox: true, RealSlack: s.Slack == nil, Workspace: WorkspaceName,
		Channel: channelView{Channel, ChannelName}, You: You,
		Users:   []userView{{You, "you"}, {Teammate, "alex"}, {fakeslack.BotUserID, "smsbridge"}},
		Numbers: ourNumbers, Phones: s.phonesView()}
	s.mu.Lock()
	st.Running = s.service != ""
	s.mu.Unlock()
	if s.Slack == nil {
		return st
	}
	st.Messages = s.channelView()
	st.Answers = s.answersView()
	if v, ok := s.Slack.HomeView(You); ok {
		st.Home, st.HomeID = v.JSON, v.ID
	}
	views := s.Slack.Views()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncModalsLocked(views)
	for _, id := range s.modals {
		if raw, ok := s.viewJSONLocked(id, views); ok {
			st.Modals = append(st.Modals, modalView{ID: id, View: raw, Errors: s.viewErrors[id]})
		}
	}
	return st
}

// channelView is the channel's messages, each with its thread, and the
// bot's ephemeral posts (chat.postEphemeral) to you at the end.
func (s *Sandbox) channelView() []messageView {
	files := map[string]fileView{}
	for _, u := range s.Slack.Uploads() {
		ct := u.ContentType
		if ct == "" || ct == "application/octet-stream" {
			ct = http.DetectContentType(u.Content)
		}
		files[u.FileID] = fileView{ID: u.FileID, Name: u.Filename, ContentType: ct}
	}
	var out []messageView
	for _, m := range s.Slack.Messages(Channel) {
		mv := s.message(m, files)
		for _, r := range s.Slack.ThreadReplies(Channel, m.TS) {
			mv.Replies = append(mv.Replies, s.message(r, files))
		}
		out = append(out, mv)
	}
	for _, e := range s.Slack.Ephemerals(Channel) {
		if e.User != You {
			continue
		}
		mv := s.message(e, files)
		mv.Ephemeral, mv.User, mv.Bot = true, fakeslack.BotUserID, true
		if e.ThreadTS != "" {
			for i := range out {
				if out[i].TS == e.ThreadTS {
					out[i].Replies = append(out[i].Replies, mv)
				}
			}
			continue
		}
		out = append(out, mv)
	}
	return out
}

func (s *Sandbox) message(m recorded.Message, files map[string]fileView) messageView {
	mv := messageView{TS: m.TS, ThreadTS: m.ThreadTS, User: m.User, Bot: m.User == fakeslack.BotUserID,
		Text: m.Text, Blocks: m.Blocks, Edited: m.Updates > 0, Reactions: s.Slack.Reactions(Channel, m.TS)}
	for _, id := range m.Files {
		if f, ok := files[id]; ok {
			mv.Files = append(mv.Files, f)
		}
	}
	return mv
}

// answersView is the command acknowledgements and response_url posts, in
// order; a post that replaces (deletes) its original takes its place.
func (s *Sandbox) answersView() []answerView {
	s.mu.Lock()
	answers := slices.Clone(s.answers)
	s.mu.Unlock()
	var out []answerView
	index := map[int64]int{} // answer seq → position in out
	for _, a := range answers {
		if a.Command != "" || len(a.Ack) > 0 || a.AckText != "" {
			av := answerView{Seq: a.Seq, Command: a.Command, Text: a.AckText}
			if len(a.Ack) > 0 {
				var msg struct {
					Text   string          `json:"text"`
					Blocks json.RawMessage `json:"blocks"`
				}
				_ = json.Unmarshal(a.Ack, &msg)
				av.Text, av.Blocks = msg.Text, nullToNil(msg.Blocks)
			}
			index[a.Seq] = len(out)
			out = append(out, av)
		}
		for _, p := range s.Slack.ResponsePosts(a.ResponseURL) {
			av := answerView{Seq: a.Seq, Text: p.Text, Blocks: nullToNil(p.Blocks), InChannel: p.ResponseType == "in_channel"}
			target, hasParent := index[a.Parent]
			if (p.ReplaceOriginal || p.DeleteOriginal) && hasParent && a.Parent != 0 {
				if p.DeleteOriginal {
					out[target] = answerView{Seq: out[target].Seq, Text: "(deleted)"}
				} else {
					av.Seq, av.Command = out[target].Seq, out[target].Command
					out[target] = av
				}
				index[a.Seq] = target
				continue
			}
			index[a.Seq] = len(out)
			out = append(out, av)
		}
	}
	return out
}

func nullToNil(b json.RawMessage) json.RawMessage {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}

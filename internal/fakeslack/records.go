package fakeslack

import (
	"slices"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
)

// Messages returns the top-level messages of channel in order, each in its
// latest version.
func (s *Server) Messages(channel string) []recorded.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded.Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == "" {
			out = append(out, m.Clone())
		}
	}
	return out
}

// Channel returns what a member sees in channel, in order: its top-level
// messages and the thread replies broadcast to it (reply_broadcast), each
// in its latest version.
func (s *Server) Channel(channel string) []recorded.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded.Message
	for _, m := range s.messages {
		if m.Channel == channel && (m.ThreadTS == "" || m.Broadcast) {
			out = append(out, m.Clone())
		}
	}
	return out
}

// Broadcasts returns the thread replies of channel that were also sent to
// the channel (reply_broadcast), in order.
func (s *Server) Broadcasts(channel string) []recorded.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded.Message
	for _, m := range s.messages {
		if m.Channel == channel && m.Broadcast {
			out = append(out, m.Clone())
		}
	}
	return out
}

// ThreadReplies returns the replies in the thread of channel/threadTS in order
// (the parent excluded), including file shares made into the thread.
func (s *Server) ThreadReplies(channel, threadTS string) []recorded.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded.Message
	for _, m := range s.messages {
		if m.Channel == channel && m.ThreadTS == threadTS {
			out = append(out, m.Clone())
		}
	}
	return out
}

// Message returns the message channel/ts in its latest version.
func (s *Server) Message(channel, ts string) (recorded.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findLocked(channel, ts); m != nil {
		return m.Clone(), true
	}
	return recorded.Message{}, false
}

// Ephemerals returns the chat.postEphemeral messages sent to channel; each
// Message's User is the user who sees it.
func (s *Server) Ephemerals(channel string) []recorded.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []recorded.Message
	for _, m := range s.ephemeral {
		if m.Channel == channel {
			out = append(out, m.Clone())
		}
	}
	return out
}

// Uploads returns the completed uploads in order.
func (s *Server) Uploads() []recorded.Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]recorded.Upload, 0, len(s.uploads))
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
func (s *Server) Views() []recorded.View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.views.All()
}

// HomeView returns the App Home last published for user.
func (s *Server) HomeView(user string) (recorded.View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.views.Home(user)
}

// ResponsePosts returns what was posted to responseURL, in order.
func (s *Server) ResponsePosts(responseURL string) []recorded.ResponsePost {
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
	m := &recorded.Message{Channel: channel, TS: s.newTSLocked(), ThreadTS: threadTS, User: user, Text: text}
	s.messages = append(s.messages, m)
	return m.TS
}

func (s *Server) findLocked(channel, ts string) *recorded.Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

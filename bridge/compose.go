package bridge

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/smsbridge/smsbridge/store"
)

// EnsureThread gives conv a Slack thread (posting its header) unless it has
// a current one, and returns the updated conversation. Messages sent from
// /sms use it so that the reply comes back into the same thread.
func (b *Bridge) EnsureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	return b.ensureThread(ctx, conv)
}

// ConversationWith finds or creates the conversation of our number with
// remotes (one for 1:1, several for group MMS).
func (b *Bridge) ConversationWith(ctx context.Context, our E164, remotes []E164) (*store.Conversation, error) {
	conv, _, err := b.st.FindOrCreateConversation(ctx, string(our), RemoteKey(remotes))
	return conv, err
}

// Sent is an outbound message Telnyx has accepted, sent from Slack outside a
// thread (a slash command, a modal, a scheduled message).
type Sent struct {
	Our      E164
	Remotes  []E164
	Text     string
	Media    []string
	TelnyxID string
	Status   string // Telnyx's status: queued, scheduled…
	AuthorID string // Slack user who sent it
	Segments int
	Encoding string
	// Note, when set, is posted instead of the text (e.g. "Scheduled for …").
	Note string
}

// RecordSent stores an accepted outbound message under its Telnyx id (so
// delivery webhooks find it), opens or joins its conversation's thread and
// posts a confirmation there. It returns the thread. Recording twice (same
// Telnyx id) posts once.
func (b *Bridge) RecordSent(ctx context.Context, s Sent) (ThreadRef, error) {
	conv, err := b.ConversationWith(ctx, s.Our, s.Remotes)
	if err != nil {
		return ThreadRef{}, err
	}
	media, _ := json.Marshal(s.Media)
	if s.Media == nil {
		media = []byte("[]")
	}
	id := s.TelnyxID
	msg := &store.Message{
		ConversationID: conv.ID, Direction: store.Outbound, TelnyxID: &id,
		FromNumber: string(s.Our), ToNumbers: RemoteKey(s.Remotes), Text: s.Text,
		Media: string(media), Status: s.Status, Segments: s.Segments, Encoding: s.Encoding,
		AuthorID: s.AuthorID,
	}
	if _, err := b.st.InsertMessage(ctx, msg); err != nil {
		return ThreadRef{}, err
	}
	conv, err = b.ensureThread(ctx, conv)
	if err != nil {
		return ThreadRef{}, err
	}
	thread, _ := Thread(conv)
	if msg.SlackTS != "" {
		return thread, nil
	}
	post := ThreadPost{Kind: KindOutbound, Text: s.Text, Mention: s.AuthorID}
	if s.Note != "" {
		post = ThreadPost{Kind: KindNote, Text: s.Note, Mention: s.AuthorID}
	}
	ts, err := b.poster.PostInThread(ctx, thread, post)
	if err != nil {
		return thread, fmt.Errorf("post confirmation: %w", err)
	}
	if err := b.st.UpdateMessage(ctx, msg.ID, map[string]any{"slack_channel": thread.Channel, "slack_ts": ts}); err != nil {
		return thread, err
	}
	fields := map[string]any{"last_activity_at": b.st.Now(), "last_direction": store.Outbound, "last_text": s.Text}
	return thread, b.st.UpdateConversation(ctx, conv.ID, fields)
}

// PostNote posts a note into the thread of the conversation of our number
// with remotes, opening the thread if needed.
func (b *Bridge) PostNote(ctx context.Context, our E164, remotes []E164, p ThreadPost) (ThreadRef, error) {
	conv, err := b.ConversationWith(ctx, our, remotes)
	if err != nil {
		return ThreadRef{}, err
	}
	conv, err = b.ensureThread(ctx, conv)
	if err != nil {
		return ThreadRef{}, err
	}
	thread, _ := Thread(conv)
	_, err = b.poster.PostInThread(ctx, thread, p)
	return thread, err
}

// Poster is the bridge's chat poster (for posting to the inbox channel).
func (b *Bridge) Poster() Poster { return b.poster }

package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/smsbridge/smsbridge/store"
)

// EnsureThread gives conv a Slack thread (posting its header) unless it has
// a current one, and returns the updated conversation. Call it only from
// the conversation's lane (a Handler), so two callers cannot both post a
// header; outside a lane, queue a post with PostNote instead.
func (b *Bridge) EnsureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	return b.ensureThread(ctx, conv)
}

// ConversationWith finds or creates the SMS conversation of our number
// with remotes (one for 1:1, several for group MMS).
func (b *Bridge) ConversationWith(ctx context.Context, our E164, remotes []E164) (*store.Conversation, error) {
	return b.ConversationOf(ctx, store.KindSMS, our, remotes)
}

// ConversationOf finds or creates the conversation of kind of our number
// with remotes.
func (b *Bridge) ConversationOf(ctx context.Context, kind string, our E164, remotes []E164) (*store.Conversation, error) {
	conv, _, err := b.st.FindOrCreateConversation(ctx, kind, string(our), RemoteKey(remotes))
	return conv, err
}

// PostNote queues p into the thread of the conversation of our number with
// remotes, opening the thread if needed, and returns the thread's channel.
// key makes the post idempotent: queuing the same key again posts nothing.
func (b *Bridge) PostNote(ctx context.Context, key string, our E164, remotes []E164, p ThreadPost) (channel string, err error) {
	conv, err := b.ConversationWith(ctx, our, remotes)
	if err != nil {
		return "", err
	}
	if err := b.queuePost(ctx, noteKey(key), threadPostWork{Our: our, Remotes: remotes, Post: p}); err != nil {
		return "", err
	}
	return b.channelOf(ctx, conv)
}

// channelOf is where the conversation's thread is, or will be opened.
func (b *Bridge) channelOf(ctx context.Context, conv *store.Conversation) (string, error) {
	if conv.Channel != "" {
		return conv.Channel, nil
	}
	return b.ChannelFor(ctx, E164(conv.OurNumber))
}

func (b *Bridge) queuePost(ctx context.Context, key string, w threadPostWork) error {
	if !b.engine.Wants(SourceBridge, EventThreadPost) {
		return errors.New("bridge: thread posts have no handler (bridge.New registers it)")
	}
	payload, err := json.Marshal(w)
	if err != nil {
		return err
	}
	row := &store.Event{Source: SourceBridge, ExternalID: key, Type: EventThreadPost,
		Lane: KindLane(w.Kind, w.Our, w.Remotes), Payload: payload}
	inserted, err := b.st.InsertEvent(ctx, row)
	if err != nil {
		return err
	}
	if inserted {
		b.engine.Notify()
	}
	return nil
}

// handleThreadPost posts queued work into its conversation's thread, in the
// conversation's lane.
func (b *Bridge) handleThreadPost(ctx context.Context, ev *store.Event) error {
	var w threadPostWork
	if err := json.Unmarshal(ev.Payload, &w); err != nil {
		return Permanent(fmt.Errorf("stored thread post does not parse: %v", err))
	}
	conv, err := b.ConversationOf(ctx, w.Kind, w.Our, w.Remotes)
	if err != nil {
		return err
	}
	var msg *store.Message
	if w.TelnyxID != "" {
		if msg, err = b.st.MessageByTelnyxID(ctx, w.TelnyxID); err != nil {
			return err
		}
		if msg.SlackTS != "" {
			return nil // posted before a crash; only the event was not closed
		}
	}
	if conv, err = b.ensureThread(ctx, conv); err != nil {
		return err
	}
	thread, _ := CurrentThread(conv)
	ts, err := b.poster.PostInThread(ctx, thread, w.Post)
	if err != nil {
		return fmt.Errorf("post in thread: %w", err)
	}
	if msg == nil {
		return nil
	}
	fields := map[string]any{"last_activity_at": b.st.Now(), "last_direction": store.Outbound, "last_text": msg.Text}
	return b.record(ctx, "confirmation's Slack ts", func(ctx context.Context) error {
		if err := b.st.UpdateMessage(ctx, msg.ID, map[string]any{"slack_channel": thread.Channel, "slack_ts": ts}); err != nil {
			return err
		}
		return b.st.UpdateConversation(ctx, conv.ID, fields)
	})
}

package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// A conversation's thread: opening it (its header, which carries the
// first texts under a burst), what the header shows (HeaderFor), and the
// posts others queue into it in the conversation's lane (QueuePost).

// EnsureThread gives conv a Slack thread (posting its header) unless it has
// a current one, and returns the updated conversation. Call it only from
// the conversation's lane (a Handler), so two callers cannot both post a
// header; outside a lane, queue a post with PostNote instead.
func (ib *Inbound) EnsureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	return ib.ensureThread(ctx, conv)
}

// needsThread reports whether conv's next post must open a thread: it has
// none, or its thread has been quiet longer than the silence setting.
func (ib *Inbound) needsThread(conv *store.Conversation) bool {
	return conv.ThreadTS == "" || ib.st.Now().Sub(conv.LastActivityAt) > ib.cfg.Silence
}

// ensureThread gives the conversation a thread: the first message posts the
// header; after a long silence a new header starts a fresh thread that links
// to the old one, so threads stay a readable size.
func (ib *Inbound) ensureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	if !ib.needsThread(conv) {
		return conv, nil
	}
	return ib.openThread(ctx, conv, nil)
}

// openThread posts conv's header, carrying batch's texts when there are
// any (they are then posted: their messages keep the header's ts).
func (ib *Inbound) openThread(ctx context.Context, conv *store.Conversation, batch *inboundBatch) (*store.Conversation, error) {
	now := ib.st.Now()
	stale := conv.ThreadTS != ""
	channel, err := ib.d.ChannelFor(ctx, domain.E164(conv.OurNumber))
	if err != nil {
		return nil, err
	}
	fields := map[string]any{"last_activity_at": now}
	if stale {
		conv.PrevChannel, conv.PrevThreadTS = conv.Channel, conv.ThreadTS
		fields["prev_channel"], fields["prev_thread_ts"] = conv.Channel, conv.ThreadTS
		if conv.State == string(domain.StateResolved) {
			// A fresh thread starts open; the old one keeps its history.
			conv.State, conv.ResolvedBy, conv.ResolvedAt = string(domain.StateOpen), "", nil
			fields["state"], fields["resolved_by"], fields["resolved_at"] = conv.State, "", nil
		}
	}
	h := ib.HeaderFor(ctx, conv)
	h.Texts = batch.headerTexts()
	ref, err := ib.poster.PostHeader(ctx, channel, h)
	if err != nil {
		return nil, fmt.Errorf("post thread header: %w", err)
	}
	conv.Channel, conv.ThreadTS, conv.LastActivityAt = ref.Channel, ref.TS, now
	fields["channel"], fields["thread_ts"] = ref.Channel, ref.TS
	if err := ib.d.Record(ctx, "thread header's ts", func(ctx context.Context) error {
		// The texts first: a crash after this and before the thread is
		// stored shows them once, in the header; the other order would
		// post them again into the thread.
		if err := ib.st.RecordPost(ctx, batch.headerIDs(), ref.Channel, ref.TS); err != nil {
			return err
		}
		if err := ib.st.UpdateConversation(ctx, conv.ID, fields); err != nil {
			return err
		}
		return ib.st.AddThread(ctx, conv.ID, ref.Channel, ref.TS)
	}); err != nil {
		return nil, err
	}
	if stale {
		old := domain.ThreadRef{Channel: conv.PrevChannel, TS: conv.PrevThreadTS}
		note := fmt.Sprintf("This conversation continues in a new thread after %s of silence.", domain.HumanDuration(ib.cfg.Silence))
		if _, err := ib.poster.PostInThread(ctx, old, domain.ThreadPost{Kind: domain.KindNote, Text: note}); err != nil {
			ib.log.Warn("note on old thread", "err", err)
		}
	}
	return conv, nil
}

// QueuePost queues w into its conversation's thread, in its lane, once
// per key.
func (ib *Inbound) QueuePost(ctx context.Context, key string, w domain.ThreadPostWork) error {
	if !ib.engine.Wants(domain.SourceBridge, domain.EventThreadPost) {
		return errors.New("bridge: thread posts have no handler (bridge.New registers it)")
	}
	payload, err := json.Marshal(w)
	if err != nil {
		return err
	}
	row := &store.Event{Source: domain.SourceBridge, ExternalID: key, Type: domain.EventThreadPost,
		Lane: domain.KindLane(w.Kind, w.Our, w.Remotes), Payload: payload}
	inserted, err := ib.st.InsertEvent(ctx, row)
	if err != nil {
		return err
	}
	if inserted {
		ib.engine.Notify()
	}
	return nil
}

// handleThreadPost posts queued work into its conversation's thread, in the
// conversation's lane.
func (ib *Inbound) handleThreadPost(ctx context.Context, ev *store.Event) error {
	var w domain.ThreadPostWork
	if err := json.Unmarshal(ev.Payload, &w); err != nil {
		return domain.Permanent(fmt.Errorf("stored thread post does not parse: %v", err))
	}
	conv, _, err := ib.st.FindOrCreateConversation(ctx, w.Kind, string(w.Our), domain.RemoteKey(w.Remotes))
	if err != nil {
		return err
	}
	var msg *store.Message
	if w.TelnyxID != "" {
		if msg, err = ib.st.MessageByTelnyxID(ctx, w.TelnyxID); err != nil {
			return err
		}
		if msg.SlackTS != "" {
			return nil // posted before a crash; only the event was not closed
		}
	}
	if conv, err = ib.ensureThread(ctx, conv); err != nil {
		return err
	}
	thread, _ := domain.CurrentThread(conv)
	ts, err := ib.poster.PostInThread(ctx, thread, w.Post)
	if err != nil {
		return fmt.Errorf("post in thread: %w", err)
	}
	if msg == nil {
		return nil
	}
	fields := map[string]any{"last_activity_at": ib.st.Now(), "last_direction": store.Outbound, "last_text": msg.Text}
	return ib.d.Record(ctx, "confirmation's Slack ts", func(ctx context.Context) error {
		if err := ib.st.UpdateMessage(ctx, msg.ID, map[string]any{"slack_channel": thread.Channel, "slack_ts": ts}); err != nil {
			return err
		}
		return ib.st.UpdateConversation(ctx, conv.ID, fields)
	})
}

// HeaderFor is HeaderOf with the contact names of the remote numbers: what
// every header the bridge posts or updates shows. A failed lookup leaves the
// name out rather than holding up the header.
func (ib *Inbound) HeaderFor(ctx context.Context, c *store.Conversation) domain.Header {
	h := domain.HeaderOf(c)
	if len(h.Remotes) == 1 {
		h.TheirTime = clock.TheirClockOf(h.Remotes[0]).Line(ib.st.Now())
	}
	h.AsOf = ib.st.Now()
	if c.ThreadTS != "" {
		// The first texts that rode in the header stay in it.
		ms, err := ib.st.MessagesInPost(ctx, c.ID, c.Channel, c.ThreadTS, maxBatchTexts)
		if err != nil {
			ib.log.Warn("texts of the header", "conversation", c.ID, "err", err)
		}
		for _, m := range ms {
			h.Texts = append(h.Texts, domain.InboundText{From: domain.E164(m.FromNumber), At: m.CreatedAt, Text: m.Text})
		}
	}
	nums := make([]string, len(h.Remotes))
	for i, r := range h.Remotes {
		nums[i] = string(r)
	}
	names, err := ib.st.ContactNames(ctx, nums)
	if err != nil {
		ib.log.Warn("contact names for header", "conversation", c.ID, "err", err)
		return h
	}
	var known []string
	for _, n := range nums {
		if name := names[n]; name != "" {
			known = append(known, name)
		}
	}
	h.ContactName = strings.Join(known, ", ")
	return h
}

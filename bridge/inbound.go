package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// handleReceived posts an inbound SMS or MMS into its conversation's thread.
// Every step checks what is already stored, so a retry after a failure or a
// crash resumes where it stopped: the thread is created once, the text is
// posted once (alone, or coalesced with the texts queued behind it:
// coalesce.go), and media already uploaded are not uploaded again.
func (b *Bridge) handleReceived(ctx context.Context, ev *store.Event) error {
	in, err := b.storeInbound(ctx, ev)
	if err != nil {
		return err
	}
	conv, msg, p := in.conv, in.msg, in.p
	// The first text of a waiting spell (the store counted it as 1) has
	// the header rewritten at once; a retry, or a text stored already by
	// the one it was coalesced behind, finds the count moved on.
	spellStarted := in.inserted && conv.WaitingCount == 1
	hadThread := conv.ThreadTS
	if msg.SlackTS == "" {
		if conv, err = b.postInbound(ctx, ev, in); err != nil {
			return err
		}
	} else {
		if conv, err = b.ensureThread(ctx, conv); err != nil {
			return err
		}
		if conv.ThreadTS != hadThread {
			if err := b.headerSignaled(ctx, conv); err != nil {
				return err
			}
		}
	}
	if conv.ThreadTS != hadThread {
		spellStarted = false // the new header shows the wait already
	}
	thread, _ := CurrentThread(conv)

	for i := msg.MediaDone; i < len(p.Media); i++ {
		if err := b.relayMedia(ctx, thread, p.Media[i], i); err != nil {
			return err
		}
		if err := b.record(ctx, "uploaded media count", func(ctx context.Context) error {
			return b.st.UpdateMessage(ctx, msg.ID, map[string]any{"media_done": i + 1})
		}); err != nil {
			return err
		}
	}

	// Queued before afterInbound changes the conversation, so a retry
	// decides the same way (autoreply.go).
	if err := b.maybeAutoReply(ctx, conv, msg, p, in.inserted, in.wasResolved); err != nil {
		return err
	}
	if err := b.afterInbound(ctx, conv, p, spellStarted); err != nil {
		return err
	}
	if conv.State == string(StateClaimed) {
		b.inboxChanged(ctx, conv.AssigneeID) // their App Home shows this text
	}
	return nil
}

// inboundText is a received text as stored: its conversation and message.
type inboundText struct {
	p       *telnyx.Message
	conv    *store.Conversation
	msg     *store.Message
	remotes []E164
	// inserted: this call stored the message (the first time it was seen),
	// and conv is as the store left it after counting it against the wait.
	inserted bool
	// wasResolved: the conversation was resolved when this text came (the
	// auto-reply decides on it, autoreply.go).
	wasResolved bool
}

// storeInbound parses a message.received event and stores its message
// (once: a second call finds it), in its conversation.
func (b *Bridge) storeInbound(ctx context.Context, ev *store.Event) (*inboundText, error) {
	tev, err := telnyxhook.ParseWebhook(ev.Payload)
	if err != nil || tev.Message == nil {
		return nil, Permanent(fmt.Errorf("stored event does not parse: %v", err))
	}
	p := tev.Message
	our, remotes := parties(p)
	conv, _, err := b.st.FindOrCreateConversation(ctx, messageKind(p), string(our), RemoteKey(remotes))
	if err != nil {
		return nil, err
	}
	wasResolved := conv.State == string(StateResolved)
	// Telnyx names the number's messaging profile: remember it, since a
	// STOP blocks the whole profile.
	if err := b.st.RememberNumber(ctx, string(our), p.MessagingProfileID); err != nil {
		return nil, err
	}
	mediaURLs := make([]string, len(p.Media))
	for i, m := range p.Media {
		mediaURLs[i] = m.URL
	}
	mediaJSON, _ := json.Marshal(mediaURLs)
	received := tev.OccurredAt
	if !p.ReceivedAt.IsZero() {
		received = p.ReceivedAt.Time
	}
	if received.IsZero() {
		received = ev.ReceivedAt // when its webhook came: a text that waited keeps its time
	}
	if received.IsZero() {
		received = b.st.Now()
	}
	msg := &store.Message{
		ConversationID: conv.ID, Direction: store.Inbound, TelnyxID: &p.ID,
		FromNumber: p.From.PhoneNumber, ToNumbers: RemoteKey(append([]E164{our}, remotes...)),
		Text: p.Text, Media: string(mediaJSON), Status: "received",
		Segments: p.Parts, Encoding: p.Encoding, CreatedAt: received,
	}
	// The text and what it does to the wait, in one transaction.
	inserted, conv, err := b.st.InsertInbound(ctx, msg)
	if err != nil {
		return nil, err
	}
	return &inboundText{p: p, conv: conv, msg: msg, remotes: remotes, inserted: inserted, wasResolved: wasResolved}, nil
}

// needsThread reports whether conv's next post must open a thread: it has
// none, or its thread has been quiet longer than the silence setting.
func (b *Bridge) needsThread(conv *store.Conversation) bool {
	return conv.ThreadTS == "" || b.st.Now().Sub(conv.LastActivityAt) > b.cfg.Silence
}

// ensureThread gives the conversation a thread: the first message posts the
// header; after a long silence a new header starts a fresh thread that links
// to the old one, so threads stay a readable size.
func (b *Bridge) ensureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	if !b.needsThread(conv) {
		return conv, nil
	}
	return b.openThread(ctx, conv, nil)
}

// openThread posts conv's header, carrying batch's texts when there are
// any (they are then posted: their messages keep the header's ts).
func (b *Bridge) openThread(ctx context.Context, conv *store.Conversation, batch *inboundBatch) (*store.Conversation, error) {
	now := b.st.Now()
	stale := conv.ThreadTS != ""
	channel, err := b.ChannelFor(ctx, E164(conv.OurNumber))
	if err != nil {
		return nil, err
	}
	fields := map[string]any{"last_activity_at": now}
	if stale {
		conv.PrevChannel, conv.PrevThreadTS = conv.Channel, conv.ThreadTS
		fields["prev_channel"], fields["prev_thread_ts"] = conv.Channel, conv.ThreadTS
		if conv.State == string(StateResolved) {
			// A fresh thread starts open; the old one keeps its history.
			conv.State, conv.ResolvedBy, conv.ResolvedAt = string(StateOpen), "", nil
			fields["state"], fields["resolved_by"], fields["resolved_at"] = conv.State, "", nil
		}
	}
	h := b.HeaderFor(ctx, conv)
	h.Texts = batch.headerTexts()
	ref, err := b.poster.PostHeader(ctx, channel, h)
	if err != nil {
		return nil, fmt.Errorf("post thread header: %w", err)
	}
	conv.Channel, conv.ThreadTS, conv.LastActivityAt = ref.Channel, ref.TS, now
	fields["channel"], fields["thread_ts"] = ref.Channel, ref.TS
	if err := b.record(ctx, "thread header's ts", func(ctx context.Context) error {
		// The texts first: a crash after this and before the thread is
		// stored shows them once, in the header; the other order would
		// post them again into the thread.
		if err := b.st.RecordPost(ctx, batch.headerIDs(), ref.Channel, ref.TS); err != nil {
			return err
		}
		if err := b.st.UpdateConversation(ctx, conv.ID, fields); err != nil {
			return err
		}
		return b.st.AddThread(ctx, conv.ID, ref.Channel, ref.TS)
	}); err != nil {
		return nil, err
	}
	if stale {
		old := ThreadRef{Channel: conv.PrevChannel, TS: conv.PrevThreadTS}
		note := fmt.Sprintf("This conversation continues in a new thread after %s of silence.", humanDuration(b.cfg.Silence))
		if _, err := b.poster.PostInThread(ctx, old, ThreadPost{Kind: KindNote, Text: note}); err != nil {
			b.log.Warn("note on old thread", "err", err)
		}
	}
	return conv, nil
}

// relayMedia downloads one MMS attachment at once (Telnyx's URLs are
// temporary) and uploads it into the thread. A download that fails for good
// posts the link and the reason instead, so the team still sees that media
// came; a Slack failure is returned for retry.
func (b *Bridge) relayMedia(ctx context.Context, thread ThreadRef, m telnyx.MessageMedia, i int) error {
	body, ctype, err := b.media.FetchMedia(ctx, m.URL, b.cfg.MediaLimit)
	if err != nil {
		b.log.Warn("mms media download failed", "index", i, "err", err)
		note := fmt.Sprintf("An attachment (%s) could not be downloaded: %v. Link, valid for a short time: %s", orDefault(m.ContentType, "unknown type"), err, m.URL)
		_, perr := b.poster.PostInThread(ctx, thread, ThreadPost{Kind: KindError, Text: note})
		return perr
	}
	if ctype == "" {
		ctype = m.ContentType
	}
	name := path.Base(m.URL)
	if name == "" || name == "/" || name == "." {
		name = fmt.Sprintf("attachment-%d", i+1)
	}
	err = b.poster.UploadFile(ctx, thread, File{Name: name, ContentType: ctype, Size: int64(len(body)), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("upload mms media: %w", err)
	}
	return nil
}

// afterInbound applies what an inbound text changes about its conversation:
// opt-out keywords, reopening a resolved conversation, last activity, and
// the header's wait (at once when the wait began, spellStarted).
func (b *Bridge) afterInbound(ctx context.Context, conv *store.Conversation, p *telnyx.Message, spellStarted bool) error {
	thread, _ := CurrentThread(conv)
	now := b.st.Now()
	fields := map[string]any{"last_activity_at": now, "last_direction": store.Inbound, "last_text": p.Text}
	var notes []string
	headerChanged := false

	from, our := E164(p.From.PhoneNumber), E164(conv.OurNumber)
	switch kw, kind := Keyword(p.Text); kind {
	case KeywordOptOut:
		// Recorded for the sender, from our number and its profile; every
		// conversation with them (groups too) shows it, and what is
		// pending to them is cancelled (the hooks).
		added, err := b.RecordOptOut(ctx, our, from, p.MessagingProfileID, store.OptOutKeyword, kw, p.Text)
		if err != nil {
			return err
		}
		if added {
			notes = append(notes, fmt.Sprintf("%s sent %s: they have opted out. smsbridge will not text them until they send START.", p.From.PhoneNumber, kw))
		}
	case KeywordOptIn:
		lifted, err := b.RecordOptIn(ctx, our, from, p.MessagingProfileID, kw, p.Text)
		if err != nil {
			return err
		}
		if lifted {
			notes = append(notes, fmt.Sprintf("%s sent %s: they have opted back in.", p.From.PhoneNumber, kw))
		}
	case KeywordHelp:
		notes = append(notes, fmt.Sprintf("%s asked for %s. The carrier's HELP reply is sent by Telnyx from the messaging profile.", p.From.PhoneNumber, kw))
	}
	reopen := conv.State == string(StateResolved)
	if reopen {
		notes = append(notes, "Reopened by a new text.")
		headerChanged = true
	}
	for _, n := range notes {
		if _, err := b.poster.PostInThread(ctx, thread, ThreadPost{Kind: KindNote, Text: n}); err != nil {
			return fmt.Errorf("post note: %w", err)
		}
	}
	// The notes above are posted: a retry must not post them again.
	if err := b.record(ctx, "conversation after an inbound text", func(ctx context.Context) error {
		return b.st.UpdateConversation(ctx, conv.ID, fields)
	}); err != nil {
		return err
	}
	if reopen {
		// Compare-and-set, like the inbox buttons: a teammate may have
		// reopened or reassigned it since it was read; that stands.
		if err := b.record(ctx, "reopened conversation", func(ctx context.Context) error {
			_, err := b.st.UpdateConversationIf(ctx, conv.ID, map[string]any{"state": string(StateOpen), "resolved_by": "", "resolved_at": nil},
				"state = ?", string(StateResolved))
			return err
		}); err != nil {
			return err
		}
	}
	// The header shows the stored state, which a button may have changed
	// while this text was being posted.
	fresh, err := b.st.Conversation(ctx, conv.ID)
	if err != nil {
		return err
	}
	*conv = *fresh
	return b.showWait(ctx, conv, headerChanged || spellStarted)
}

// handleLinkClicked notes a link click in the thread of the message it
// belongs to.
func (b *Bridge) handleLinkClicked(ctx context.Context, ev *store.Event) error {
	tev, err := telnyxhook.ParseWebhook(ev.Payload)
	if err != nil || tev.Click == nil {
		return Permanent(fmt.Errorf("stored event does not parse: %v", err))
	}
	c := tev.Click
	msg, err := b.st.MessageByTelnyxID(ctx, c.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		b.log.Info("link click for a message we do not know", "message_id", c.MessageID)
		return nil
	}
	if err != nil {
		return err
	}
	conv, err := b.st.Conversation(ctx, msg.ConversationID)
	if err != nil {
		return err
	}
	thread, ok := CurrentThread(conv)
	if !ok {
		return nil
	}
	note := fmt.Sprintf("%s opened the link %s", c.To, c.URL)
	if msg.Text != "" {
		note += fmt.Sprintf(" (from %q)", truncate(msg.Text, 60))
	}
	_, err = b.poster.PostInThread(ctx, thread, ThreadPost{Kind: KindNote, Text: note})
	return err
}

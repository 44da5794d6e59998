package inbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/lanes"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Inbound is the inbound pipeline: texts and link clicks from Telnyx
// posted into their conversations' threads, and the threads themselves.
type Inbound struct {
	d      Domain
	st     *store.Store
	poster domain.Poster
	media  domain.MediaFetcher
	engine *lanes.Engine
	log    *slog.Logger
	cfg    Config
}

// New wires the inbound pipeline and registers its handlers on the
// engine: Telnyx's message.received and link clicks, and the thread posts
// others queue (QueuePost).
func New(deps Deps, cfg Config) *Inbound {
	ib := &Inbound{d: deps.Domain, st: deps.Store, poster: deps.Poster, media: deps.Media,
		engine: deps.Engine, log: deps.Log, cfg: cfg.withDefaults()}
	e := deps.Engine
	e.Handle(domain.SourceTelnyx, telnyxhook.EventMessageReceived, ib.handleReceived)
	e.Handle(domain.SourceTelnyx, telnyxhook.EventLinkClicked, ib.handleLinkClicked)
	e.Handle(domain.SourceBridge, domain.EventThreadPost, ib.handleThreadPost) // thread.go
	return ib
}

// TelnyxLane puts every event of a conversation in the conversation's
// lane, so they are handled in the order received.
func TelnyxLane(ev *telnyxhook.Event) string {
	if ev.Click != nil {
		return domain.ClickLane(ev.Click.MessageID)
	}
	if ev.Message == nil {
		return ""
	}
	our, remotes := parties(ev.Message)
	if our == "" || len(remotes) == 0 {
		return ""
	}
	return domain.KindLane(messageKind(ev.Message), our, remotes)
}

// messageKind is the conversation kind a Telnyx message belongs to. The
// spec's inbound payload names SMS and MMS; WhatsApp messages carry type
// "WHATSAPP" (the spec's WhatsappResponse), in either direction.
func messageKind(p *telnyx.Message) string {
	if strings.EqualFold(p.Type, "WHATSAPP") {
		return store.KindWhatsApp
	}
	return store.KindSMS
}

// parties splits a message's numbers into ours and the remote set. Inbound,
// ours is the first to[]; outbound, it is from. Everyone else in from, to[]
// and cc[] is remote: a group MMS is one conversation for the whole set.
func parties(p *telnyx.Message) (our domain.E164, remotes []domain.E164) {
	var all []string
	if p.Direction == "outbound" {
		our = domain.E164(p.From.PhoneNumber)
	} else {
		if len(p.To) > 0 {
			our = domain.E164(p.To[0].PhoneNumber)
		}
		all = append(all, p.From.PhoneNumber)
	}
	for _, t := range p.To {
		all = append(all, t.PhoneNumber)
	}
	for _, c := range p.Cc {
		all = append(all, c.PhoneNumber)
	}
	for _, n := range all {
		if n != "" && domain.E164(n) != our && !slices.Contains(remotes, domain.E164(n)) {
			remotes = append(remotes, domain.E164(n))
		}
	}
	slices.Sort(remotes)
	return our, remotes
}

// handleReceived posts an inbound SMS or MMS into its conversation's thread.
// Every step checks what is already stored, so a retry after a failure or a
// crash resumes where it stopped: the thread is created once, the text is
// posted once (alone, or coalesced with the texts queued behind it:
// coalesce.go), and media already uploaded are not uploaded again.
func (ib *Inbound) handleReceived(ctx context.Context, ev *store.Event) error {
	in, err := ib.storeInbound(ctx, ev)
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
		if conv, err = ib.postInbound(ctx, ev, in); err != nil {
			return err
		}
	} else {
		if conv, err = ib.ensureThread(ctx, conv); err != nil {
			return err
		}
		if conv.ThreadTS != hadThread {
			if err := ib.headerSignaled(ctx, conv); err != nil {
				return err
			}
		}
	}
	if conv.ThreadTS != hadThread {
		spellStarted = false // the new header shows the wait already
	}
	thread, _ := domain.CurrentThread(conv)

	for i := msg.MediaDone; i < len(p.Media); i++ {
		if err := ib.relayMedia(ctx, thread, p.Media[i], i); err != nil {
			return err
		}
		if err := ib.d.Record(ctx, "uploaded media count", func(ctx context.Context) error {
			return ib.st.UpdateMessage(ctx, msg.ID, map[string]any{"media_done": i + 1})
		}); err != nil {
			return err
		}
	}

	// Queued before afterInbound changes the conversation, so a retry
	// decides the same way (autoreply.go).
	if err := ib.maybeAutoReply(ctx, conv, msg, p, in.inserted, in.wasResolved); err != nil {
		return err
	}
	if err := ib.afterInbound(ctx, conv, p, spellStarted); err != nil {
		return err
	}
	if conv.State == string(domain.StateClaimed) {
		ib.d.InboxChanged(ctx, conv.AssigneeID) // their App Home shows this text
	}
	return nil
}

// inboundText is a received text as stored: its conversation and message.
type inboundText struct {
	p       *telnyx.Message
	conv    *store.Conversation
	msg     *store.Message
	remotes []domain.E164
	// inserted: this call stored the message (the first time it was seen),
	// and conv is as the store left it after counting it against the wait.
	inserted bool
	// wasResolved: the conversation was resolved when this text came (the
	// auto-reply decides on it, autoreply.go).
	wasResolved bool
}

// storeInbound parses a message.received event and stores its message
// (once: a second call finds it), in its conversation.
func (ib *Inbound) storeInbound(ctx context.Context, ev *store.Event) (*inboundText, error) {
	tev, err := telnyxhook.ParseWebhook(ev.Payload)
	if err != nil || tev.Message == nil {
		return nil, domain.Permanent(fmt.Errorf("stored event does not parse: %v", err))
	}
	p := tev.Message
	our, remotes := parties(p)
	conv, _, err := ib.st.FindOrCreateConversation(ctx, messageKind(p), string(our), domain.RemoteKey(remotes))
	if err != nil {
		return nil, err
	}
	wasResolved := conv.State == string(domain.StateResolved)
	// Telnyx names the number's messaging profile: remember it, since a
	// STOP blocks the whole profile.
	if err := ib.st.RememberNumber(ctx, string(our), p.MessagingProfileID); err != nil {
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
		received = ib.st.Now()
	}
	msg := &store.Message{
		ConversationID: conv.ID, Direction: store.Inbound, TelnyxID: &p.ID,
		FromNumber: p.From.PhoneNumber, ToNumbers: domain.RemoteKey(append([]domain.E164{our}, remotes...)),
		Text: p.Text, Media: string(mediaJSON), Status: "received",
		Segments: p.Parts, Encoding: p.Encoding, CreatedAt: received,
	}
	// The text and what it does to the wait, in one transaction.
	inserted, conv, err := ib.st.InsertInbound(ctx, msg)
	if err != nil {
		return nil, err
	}
	return &inboundText{p: p, conv: conv, msg: msg, remotes: remotes, inserted: inserted, wasResolved: wasResolved}, nil
}

// relayMedia downloads one MMS attachment at once (Telnyx's URLs are
// temporary) and uploads it into the thread. A download that fails for good
// posts the link and the reason instead, so the team still sees that media
// came; a Slack failure is returned for retry.
func (ib *Inbound) relayMedia(ctx context.Context, thread domain.ThreadRef, m telnyx.MessageMedia, i int) error {
	body, ctype, err := ib.media.FetchMedia(ctx, m.URL, ib.cfg.MediaLimit)
	if err != nil {
		ib.log.Warn("mms media download failed", "index", i, "err", err)
		note := fmt.Sprintf("An attachment (%s) could not be downloaded: %v. Link, valid for a short time: %s", domain.OrDefault(m.ContentType, "unknown type"), err, m.URL)
		_, perr := ib.poster.PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindError, Text: note})
		return perr
	}
	if ctype == "" {
		ctype = m.ContentType
	}
	name := path.Base(m.URL)
	if name == "" || name == "/" || name == "." {
		name = fmt.Sprintf("attachment-%d", i+1)
	}
	err = ib.poster.UploadFile(ctx, thread, domain.File{Name: name, ContentType: ctype, Size: int64(len(body)), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("upload mms media: %w", err)
	}
	return nil
}

// afterInbound applies what an inbound text changes about its conversation:
// opt-out keywords, reopening a resolved conversation, last activity, and
// the header's wait (at once when the wait began, spellStarted).
func (ib *Inbound) afterInbound(ctx context.Context, conv *store.Conversation, p *telnyx.Message, spellStarted bool) error {
	thread, _ := domain.CurrentThread(conv)
	now := ib.st.Now()
	fields := map[string]any{"last_activity_at": now, "last_direction": store.Inbound, "last_text": p.Text}
	var notes []string
	headerChanged := false

	from, our := domain.E164(p.From.PhoneNumber), domain.E164(conv.OurNumber)
	switch kw, kind := Keyword(p.Text); kind {
	case KeywordOptOut:
		// Recorded for the sender, from our number and its profile; every
		// conversation with them (groups too) shows it, and what is
		// pending to them is cancelled (the hooks).
		added, err := ib.d.RecordOptOut(ctx, our, from, p.MessagingProfileID, store.OptOutKeyword, kw, p.Text)
		if err != nil {
			return err
		}
		if added {
			notes = append(notes, fmt.Sprintf("%s sent %s: they have opted out. smsbridge will not text them until they send START.", p.From.PhoneNumber, kw))
		}
	case KeywordOptIn:
		lifted, err := ib.d.RecordOptIn(ctx, our, from, p.MessagingProfileID, kw, p.Text)
		if err != nil {
			return err
		}
		if lifted {
			notes = append(notes, fmt.Sprintf("%s sent %s: they have opted back in.", p.From.PhoneNumber, kw))
		}
	case KeywordHelp:
		notes = append(notes, fmt.Sprintf("%s asked for %s. The carrier's HELP reply is sent by Telnyx from the messaging profile.", p.From.PhoneNumber, kw))
	}
	reopen := conv.State == string(domain.StateResolved)
	if reopen {
		notes = append(notes, "Reopened by a new text.")
		headerChanged = true
	}
	for _, n := range notes {
		if _, err := ib.poster.PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindNote, Text: n}); err != nil {
			return fmt.Errorf("post note: %w", err)
		}
	}
	// The notes above are posted: a retry must not post them again.
	if err := ib.d.Record(ctx, "conversation after an inbound text", func(ctx context.Context) error {
		return ib.st.UpdateConversation(ctx, conv.ID, fields)
	}); err != nil {
		return err
	}
	if reopen {
		// Compare-and-set, like the inbox buttons: a teammate may have
		// reopened or reassigned it since it was read; that stands.
		if err := ib.d.Record(ctx, "reopened conversation", func(ctx context.Context) error {
			_, err := ib.st.UpdateConversationIf(ctx, conv.ID, map[string]any{"state": string(domain.StateOpen), "resolved_by": "", "resolved_at": nil},
				"state = ?", string(domain.StateResolved))
			return err
		}); err != nil {
			return err
		}
	}
	// The header shows the stored state, which a button may have changed
	// while this text was being posted.
	fresh, err := ib.st.Conversation(ctx, conv.ID)
	if err != nil {
		return err
	}
	*conv = *fresh
	return ib.showWait(ctx, conv, headerChanged || spellStarted)
}

// handleLinkClicked notes a link click in the thread of the message it
// belongs to.
func (ib *Inbound) handleLinkClicked(ctx context.Context, ev *store.Event) error {
	tev, err := telnyxhook.ParseWebhook(ev.Payload)
	if err != nil || tev.Click == nil {
		return domain.Permanent(fmt.Errorf("stored event does not parse: %v", err))
	}
	c := tev.Click
	msg, err := ib.st.MessageByTelnyxID(ctx, c.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		ib.log.Info("link click for a message we do not know", "message_id", c.MessageID)
		return nil
	}
	if err != nil {
		return err
	}
	conv, err := ib.st.Conversation(ctx, msg.ConversationID)
	if err != nil {
		return err
	}
	thread, ok := domain.CurrentThread(conv)
	if !ok {
		return nil
	}
	note := fmt.Sprintf("%s opened the link %s", c.To, c.URL)
	if msg.Text != "" {
		note += fmt.Sprintf(" (from %q)", domain.Truncate(msg.Text, 60))
	}
	_, err = ib.poster.PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindNote, Text: note})
	return err
}

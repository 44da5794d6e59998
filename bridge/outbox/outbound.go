package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// The outbound pipeline: a teammate's reply in a conversation's thread
// becomes one SMS (or group MMS) to the conversation's phones.
//
// A reply is committed as a Slack event in the conversation's lane, so it is
// ordered with the conversation's inbound texts and delivery reports. Its
// handler inserts the outbox entry, a store.Message whose OutboxKey
// ("channel:ts") is unique: a redelivered event or the same Slack message
// seen twice finds the entry already there and sends nothing more.
//
// Sending records the attempt (status "sending") before Telnyx is called.
// What happens next decides what is safe:
//   - accepted: "queued", with Telnyx's id, so delivery webhooks find it;
//   - proven not sent (429, connection refused): back to "pending" and
//     retried by the engine, after the 429's wait;
//   - refused (opted out, invalid): final, and the thread says why;
//   - anything else (timeout after the request left, 5xx), or a restart
//     that finds an attempt with no result: "ambiguous". It is never resent
//     automatically; the thread shows it with a "Send again" button.

// ActionSendAgain is the action_id of the "Send again" button on an
// ambiguous send; its value is the message id.
const ActionSendAgain = "outbox_send_again"

// Types of Slack work in the store.
const (
	SlackTypeMessage   = "message"
	SlackTypeSendAgain = "send_again"
)

// Subtypes of a SlackReply that are not new messages.
const (
	ReplyEdited  = "message_changed"
	ReplyDeleted = "message_deleted"
)

// Reactions on the teammate's reply that show where its SMS is.
const (
	ReactQueued      = "outbox_tray" // queued or sent
	ReactDelivered   = "white_check_mark"
	ReactFailed      = "x"
	ReactAmbiguous   = "warning"
	ReactUnconfirmed = "grey_question"
	ReactRefused     = "no_entry_sign"
)

// MaxSegments is the most SMS parts one reply may take.
const MaxSegments = 10

// MaxWhatsAppText is the longest WhatsApp text body, in characters.
const MaxWhatsAppText = 4096

// SlackReply is a person's message in a Slack channel as the outbound
// pipeline needs it; slackin builds it from the Events API message event, with
// Slack's formatting already turned into plain text.
type SlackReply struct {
	EventID  string      `json:"event_id"`
	Channel  string      `json:"channel"`
	TS       string      `json:"ts"` // for edits and deletions: the original message's ts
	ThreadTS string      `json:"thread_ts"`
	User     string      `json:"user"`
	Text     string      `json:"text"`
	Subtype  string      `json:"subtype,omitempty"` // "", ReplyEdited or ReplyDeleted
	Files    []SlackFile `json:"files,omitempty"`
	// OldThread is set by IngestSlack for a reply in a conversation's
	// previous thread: it is answered, not sent.
	OldThread bool `json:"old_thread,omitempty"`
	// ParentNotOurs: Slack says (parent_user_id) the thread's parent was
	// posted by someone other than the bot, so it is no conversation's
	// header and an unknown one is not waited for (earlyreply.go).
	ParentNotOurs bool `json:"-"`
	// LastDelivery: Slack will not deliver this event again (its third
	// retry), so a reply whose thread is still unknown is told, not
	// refused (earlyreply.go).
	LastDelivery bool `json:"-"`
}

// SlackFile is a file attached to a reply.
type SlackFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"` // url_private_download: needs the bot token
	Size        int64  `json:"size"`
}

func (o *Outbound) now() time.Time        { return o.deps.Store.Now() }
func (o *Outbound) st() *store.Store      { return o.deps.Store }
func (o *Outbound) poster() domain.Poster { return o.deps.Poster }
func (o *Outbound) notify()               { o.deps.Engine.Notify() }
func msgRef(m *store.Message) domain.ThreadRef {
	return domain.ThreadRef{Channel: m.SlackChannel, TS: m.SlackTS}
}

// Outbound is the outbound pipeline and delivery tracking.
type Outbound struct {
	deps   Deps
	d      Domain
	log    *slog.Logger
	sender sender.SMSSender
	files  SlackFileFetcher
	names  domain.UserNamer
	cfg    Config
}

// New wires the outbound pipeline and registers its handlers on the
// engine: Slack replies, "Send again", and Telnyx's message.sent and
// message.finalized. files and names may be nil (no MMS, no signature).
func New(deps Deps, sender sender.SMSSender, files SlackFileFetcher, names domain.UserNamer, cfg Config) *Outbound {
	o := &Outbound{deps: deps, d: deps.Domain, log: deps.Log, sender: sender, files: files, names: names, cfg: cfg.withDefaults()}
	e := deps.Engine
	e.Handle(domain.SourceSlack, SlackTypeMessage, o.handleReply)
	e.Handle(domain.SourceSlack, SlackTypeSendAgain, o.handleSendAgain)
	e.Handle(domain.SourceBridge, EventSend, o.handleSend) // send.go
	e.Handle(domain.SourceTelnyx, telnyxhook.EventMessageSent, o.handleDelivery)
	e.Handle(domain.SourceTelnyx, telnyxhook.EventMessageFinalized, o.handleDelivery)
	return o
}

// IsNote reports whether text is an internal note (starts with the prefix).
func (o *Outbound) IsNote(text string) bool {
	return strings.HasPrefix(strings.TrimSpace(text), o.cfg.NotePrefix)
}

// IngestSlack commits a person's message if it is work: a reply (or an edit
// or deletion of one) in the thread of a known conversation, and not an
// internal note. It reports whether it stored new work; messages elsewhere
// are acknowledged and not stored. The caller (slackin) has already dropped
// bots' messages.
func (o *Outbound) IngestSlack(ctx context.Context, r SlackReply) (bool, error) {
	if r.Channel == "" || r.ThreadTS == "" || r.TS == "" || r.ThreadTS == r.TS {
		return false, nil // not in a thread, or the thread's parent itself
	}
	if r.Subtype == "" && o.IsNote(r.Text) {
		return false, nil
	}
	conv, err := o.conversationOfThread(ctx, &r) // earlyreply.go
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ext := r.EventID
	if ext == "" {
		ext = domain.ReplyEventKey(r.Channel, r.TS, r.Subtype)
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	lane := domain.LaneOf(conv)
	ok, err := o.st().InsertEvent(ctx, &store.Event{Source: domain.SourceSlack, ExternalID: ext, Type: SlackTypeMessage, Lane: lane, Payload: payload})
	if err != nil {
		return false, err
	}
	if ok {
		o.notify()
	}
	return ok, nil
}

// SendAgain commits a teammate's "Send again" for an ambiguous send. The
// work runs in the conversation's lane; pressing twice sends once, because
// only a message still ambiguous goes back to pending.
func (o *Outbound) SendAgain(ctx context.Context, messageID uint64, user, actionTS string) error {
	msg, err := o.st().Message(ctx, messageID)
	if err != nil {
		return err
	}
	conv, err := o.st().Conversation(ctx, msg.ConversationID)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(sendAgain{MessageID: messageID, User: user})
	lane := domain.LaneOf(conv)
	ext := domain.SendAgainKey(messageID, actionTS)
	ok, err := o.st().InsertEvent(ctx, &store.Event{Source: domain.SourceSlack, ExternalID: ext, Type: SlackTypeSendAgain, Lane: lane, Payload: payload})
	if ok {
		o.notify()
	}
	return err
}

type sendAgain struct {
	MessageID uint64 `json:"message_id"`
	User      string `json:"user"`
}

// noteMovedOn answers a reply in a thread the conversation has left: it is
// not sent (the team would not see the exchange where it goes on).
func (o *Outbound) noteMovedOn(ctx context.Context, r SlackReply) error {
	note := "Not sent: this conversation continues in a newer thread in this channel. Reply there to text them."
	_, err := o.poster().PostInThread(ctx, domain.ThreadRef{Channel: r.Channel, TS: r.ThreadTS}, domain.ThreadPost{Kind: domain.KindNote, Text: note})
	return err
}

func (o *Outbound) handleReply(ctx context.Context, ev *store.Event) error {
	var r SlackReply
	if err := json.Unmarshal(ev.Payload, &r); err != nil {
		return domain.Permanent(fmt.Errorf("stored slack reply does not parse: %w", err))
	}
	if r.OldThread {
		return o.noteMovedOn(ctx, r)
	}
	conv, err := o.st().ConversationByThread(ctx, r.Channel, r.ThreadTS)
	if errors.Is(err, store.ErrNotFound) {
		// The conversation moved to a new thread after this reply came in.
		// Unless it is an edit, or a copy of a reply already sent, the
		// teammate must hear that it was not sent.
		if r.Subtype != "" {
			return nil
		}
		if _, err := o.st().MessageByOutboxKey(ctx, domain.ReplyKey(r.Channel, r.TS)); err == nil {
			return nil
		}
		return o.noteMovedOn(ctx, r)
	}
	if err != nil {
		return err
	}
	if r.Subtype == ReplyEdited || r.Subtype == ReplyDeleted {
		return o.noteChange(ctx, conv, r)
	}
	key := domain.ReplyKey(r.Channel, r.TS)
	msg, err := o.st().MessageByOutboxKey(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		msg, err = o.newOutboxEntry(ctx, conv, r, key)
	}
	if err != nil {
		return err
	}
	if held, err := o.holdIfQuiet(ctx, conv, msg); held || err != nil {
		return err
	}
	return o.process(ctx, conv, msg)
}

// newOutboxEntry inserts the outbox entry of a reply, with the text as it
// will be sent (signature included), so retries send the same thing.
func (o *Outbound) newOutboxEntry(ctx context.Context, conv *store.Conversation, r SlackReply, key string) (*store.Message, error) {
	text := strings.TrimSpace(r.Text)
	if o.cfg.Signature && o.names != nil && r.User != "" && text != "" {
		// A name Slack cannot give now leaves the signature off rather than
		// holding the reply back.
		if name := o.names.UserName(ctx, r.User); name != "" {
			// An ASCII dash: an em dash is not GSM-7 and would make every
			// signed SMS UCS-2, doubling its segments.
			text += "\n- " + name
		}
	}
	urls := make([]string, 0, len(r.Files))
	for _, f := range r.Files {
		urls = append(urls, f.URL)
	}
	media, _ := json.Marshal(urls)
	msg := &store.Message{
		ConversationID: conv.ID, Direction: store.Outbound, OutboxKey: &key,
		FromNumber: conv.OurNumber, ToNumbers: conv.RemoteKey, Text: text, Media: string(media),
		Status: store.OutPending, AuthorID: r.User, SlackChannel: r.Channel, SlackTS: r.TS,
		CreatedAt: o.now(),
	}
	if _, err := o.st().InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

func (o *Outbound) handleSendAgain(ctx context.Context, ev *store.Event) error {
	var sa sendAgain
	if err := json.Unmarshal(ev.Payload, &sa); err != nil {
		return domain.Permanent(fmt.Errorf("stored send-again does not parse: %w", err))
	}
	msg, err := o.st().Message(ctx, sa.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	conv, err := o.st().Conversation(ctx, msg.ConversationID)
	if err != nil {
		return err
	}
	ok, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutPending, "error_text": ""}, store.OutAmbiguous, store.OutNotSent, store.OutHeldQuiet)
	if err != nil || !ok {
		return err // pressed twice, or already resolved: nothing to do
	}
	prev := msg.Status
	msg.Status = store.OutPending
	if err := o.poster().RemoveReaction(ctx, msgRef(msg), reactionFor(prev)); err != nil {
		o.log.Warn("remove reaction", "message", msg.ID, "err", err)
	}
	if thread, ok := domain.CurrentThread(conv); ok {
		note := "Sending again, as a teammate asked."
		if prev == store.OutHeldQuiet {
			note = "Sending now, in their quiet hours, as a teammate confirmed."
		}
		if _, err := o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindNote, Text: note}); err != nil {
			o.log.Warn("post send-again note", "message", msg.ID, "err", err)
		}
	}
	return o.process(ctx, conv, msg)
}

// noteChange answers an edit or deletion of a reply that went out as SMS:
// the phone keeps what it got.
func (o *Outbound) noteChange(ctx context.Context, conv *store.Conversation, r SlackReply) error {
	msg, err := o.st().MessageByOutboxKey(ctx, domain.ReplyKey(r.Channel, r.TS))
	if errors.Is(err, store.ErrNotFound) {
		return nil // not a reply we texted (a note, a refused one…)
	}
	if err != nil {
		return err
	}
	switch msg.Status {
	case store.OutRefused, store.OutOptedOut, store.OutFailed, store.OutPending, store.OutNotSent:
		return nil
	}
	what := "edited"
	if r.Subtype == ReplyDeleted {
		what = "deleted"
	}
	note := fmt.Sprintf("A reply that was already sent as SMS was %s in Slack. The SMS has left and cannot be changed or recalled; send a new reply to correct it.", what)
	thread, _ := domain.CurrentThread(conv)
	_, err = o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindNote, Text: note})
	return err
}

// SlackFileFetcher downloads a file attached to a Slack message with the
// bot token. A failure that retrying cannot fix wraps ErrPermanent.
type SlackFileFetcher interface {
	FetchSlackFile(ctx context.Context, url string, limit int64) (body []byte, contentType string, err error)
}

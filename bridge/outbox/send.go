package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
)

// Sends from outside a thread (/sms send, group and whatsapp, the compose
// modal) take the same way out as a thread reply: Send commits the request
// as work in the conversation's lane and returns; the worker makes it an
// outbox entry (keyed by the request, so a repeat sends nothing more),
// posts the text into the conversation's thread on the teammate's behalf
// (opening the thread if needed) and runs the entry through process, the
// one send path with the opt-out policy, pacing, "sending" recorded before
// Telnyx is called, ambiguous failures shown with Send again, and delivery
// shown as reactions on that post.

// EventSend is the bridge work type of a Send.
const EventSend = "send"

// SendRequest is a message a teammate sends from outside a thread.
type SendRequest struct {
	// Key is unique per request (the slash command's or the modal's
	// trigger): queuing the same key again sends nothing more.
	Key string `json:"key"`
	// Kind is store.KindSMS (SMS, MMS, group MMS) or store.KindWhatsApp.
	Kind string `json:"kind,omitempty"`
	// From is one of our numbers, a short code or an alphanumeric sender
	// ID; empty with ProfileID for the profile's number pool.
	From      domain.E164   `json:"from,omitempty"`
	ProfileID string        `json:"profile_id,omitempty"`
	To        []domain.E164 `json:"to"`
	Text      string        `json:"text"`
	Media     []string      `json:"media,omitempty"` // URLs Telnyx fetches
	AuthorID  string        `json:"author_id,omitempty"`
	// Origin is the Slack channel the request came from: a pool send,
	// which has no thread until Telnyx picks the number, answers there.
	Origin string `json:"origin,omitempty"`
	// AutoReply marks the business-hours auto-reply (bridge/inbound/autoreply.go): its
	// thread post says so, and it does not end the waiting.
	AutoReply bool `json:"auto_reply,omitempty"`
	// ConfirmQuiet: the teammate confirmed sending into the recipients'
	// quiet hours; without it such a send is a *QuietError (quiet.go).
	ConfirmQuiet bool `json:"confirm_quiet,omitempty"`
}

// Queued says where a queued send will show.
type Queued struct {
	// Channel is where the conversation's thread is (or will be opened);
	// for a pool send, the origin channel.
	Channel string
	Pool    bool
}

// RefusedError is a send the policy refused before queuing it; Reason is
// for the teammate.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// Notifier shows a teammate, and only them, a line in a channel
// (chat.postEphemeral). The poster implements it; a pool send whose
// number is not known yet answers this way.
type Notifier interface {
	Notify(ctx context.Context, channel, user, text string) error
}

// Send queues r. It refuses at once, with a *RefusedError, what the
// opt-out policy refuses now (it is asked again when the message is sent),
// and with a *QuietError a send into the recipients' quiet hours that was
// not confirmed.
func (o *Outbound) Send(ctx context.Context, r SendRequest) (*Queued, error) {
	switch {
	case r.Key == "":
		return nil, errors.New("send: no request key")
	case len(r.To) == 0:
		return nil, &RefusedError{Reason: "Not sent: no recipient."}
	case r.From == "" && r.ProfileID == "":
		return nil, &RefusedError{Reason: "Not sent: no sender (a number, or the number pool of a messaging profile)."}
	case strings.TrimSpace(r.Text) == "" && len(r.Media) == 0:
		return nil, &RefusedError{Reason: "Not sent: the message is empty."}
	}
	r.Kind = domain.OrDefault(r.Kind, store.KindSMS)
	blocked, err := o.d.MayText(ctx, r.From, r.ProfileID, r.To)
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		return nil, &RefusedError{Reason: domain.BlockedReason(blocked)}
	}
	if quiet := o.d.QuietCheck(r.To, o.now()); quiet != nil && !r.ConfirmQuiet && !r.AutoReply {
		return nil, &QuietError{Quiet: quiet}
	}
	q := &Queued{Channel: r.Origin, Pool: r.From == ""}
	lane := domain.PoolLane(r.ProfileID, r.To)
	if !q.Pool {
		lane = domain.KindLane(r.Kind, r.From, r.To)
		conv, err := o.d.ConversationOf(ctx, r.Kind, r.From, r.To)
		if err != nil {
			return nil, err
		}
		if q.Channel, err = o.d.ChannelOf(ctx, conv); err != nil {
			return nil, err
		}
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	ok, err := o.st().InsertEvent(ctx, &store.Event{Source: domain.SourceBridge, ExternalID: domain.SendKey(r.Key), Type: EventSend, Lane: lane, Payload: payload})
	if err != nil {
		return nil, err
	}
	if ok {
		o.notify()
	}
	return q, nil
}

func (o *Outbound) handleSend(ctx context.Context, ev *store.Event) error {
	var r SendRequest
	if err := json.Unmarshal(ev.Payload, &r); err != nil {
		return domain.Permanent(fmt.Errorf("stored send does not parse: %w", err))
	}
	if r.From == "" {
		return o.handlePoolSend(ctx, r)
	}
	conv, err := o.d.ConversationOf(ctx, r.Kind, r.From, r.To)
	if err != nil {
		return err
	}
	msg, err := o.sendEntry(ctx, conv.ID, r)
	if err != nil {
		return err
	}
	if conv, err = o.d.EnsureThread(ctx, conv); err != nil {
		return err
	}
	if msg.SlackTS == "" {
		// The text shows in the thread as sent by the teammate; its
		// reactions then say where it is, as on a thread reply.
		thread, _ := domain.CurrentThread(conv)
		post := domain.ThreadPost{Kind: domain.KindOutbound, Text: msg.Text, Mention: r.AuthorID, Metadata: domain.MessageMetadata(domain.EventSMSSent, conv, msg)}
		if r.AutoReply {
			post.Text = domain.AutoReplyLabel + msg.Text
		}
		ts, err := o.poster().PostInThread(ctx, thread, post)
		if err != nil {
			return fmt.Errorf("post sent text: %w", err)
		}
		// Slack has the post: its ts is recorded before anything else, so
		// a failing write cannot make a retry post it twice.
		if err := o.d.Record(ctx, "sent text's Slack ts", func(ctx context.Context) error {
			return o.st().UpdateMessage(ctx, msg.ID, map[string]any{"slack_channel": thread.Channel, "slack_ts": ts})
		}); err != nil {
			return err
		}
		msg.SlackChannel, msg.SlackTS = thread.Channel, ts
	}
	return o.process(ctx, conv, msg)
}

// sendEntry finds or makes the outbox entry of a Send.
func (o *Outbound) sendEntry(ctx context.Context, convID uint64, r SendRequest) (*store.Message, error) {
	key := domain.SendKey(r.Key)
	msg, err := o.st().MessageByOutboxKey(ctx, key)
	if !errors.Is(err, store.ErrNotFound) {
		return msg, err
	}
	media, _ := json.Marshal(r.Media)
	if r.Media == nil {
		media = []byte("[]")
	}
	msg = &store.Message{
		ConversationID: convID, Direction: store.Outbound, OutboxKey: &key,
		FromNumber: string(r.From), ToNumbers: domain.RemoteKey(r.To), Text: strings.TrimSpace(r.Text), Media: string(media),
		Status: store.OutPending, AuthorID: r.AuthorID, CreatedAt: o.now(),
	}
	if _, err := o.st().InsertMessage(ctx, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// handlePoolSend sends from a profile's number pool. Telnyx picks the
// number, so the conversation (and its thread) is known only from its
// answer: until then the entry has no conversation, and what happens is
// told to the teammate in the channel they sent from.
func (o *Outbound) handlePoolSend(ctx context.Context, r SendRequest) error {
	msg, err := o.sendEntry(ctx, 0, r)
	if err != nil {
		return err
	}
	tell := func(text string) {
		n, ok := o.poster().(Notifier)
		if !ok || r.Origin == "" || r.AuthorID == "" {
			o.log.Warn("pool send outcome not shown", "message", msg.ID, "outcome", text)
			return
		}
		if err := n.Notify(ctx, r.Origin, r.AuthorID, text); err != nil {
			o.log.Warn("pool send outcome not shown", "message", msg.ID, "err", err)
		}
	}
	to := strings.Join(domain.E164Strings(r.To), ", ")
	switch msg.Status {
	case store.OutPending:
	case store.OutSending:
		why := fmt.Sprintf("smsbridge stopped while the text to %s from the number pool was being handed to Telnyx, so it is not known whether it went out. It was not sent again automatically; check `/sms history` or the Telnyx portal before sending it again.", to)
		if ok, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutAmbiguous, "error_text": why}, store.OutSending); err != nil || !ok {
			return err
		}
		tell(why)
		return nil
	default:
		return nil
	}
	blocked, err := o.d.MayText(ctx, "", r.ProfileID, r.To)
	if err != nil {
		return err
	}
	if len(blocked) > 0 {
		why := domain.BlockedReason(blocked)
		if _, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutOptedOut, "error_text": why}, store.OutPending); err != nil {
			return err
		}
		tell(why)
		return nil
	}
	if ok, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutSending}, store.OutPending); err != nil || !ok {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, o.cfg.SendTimeout)
	sent, err := o.sender.SendSMS(sctx, sender.OutSMS{ProfileID: r.ProfileID, To: r.To, Text: msg.Text, MediaURLs: r.Media})
	cancel()
	if err != nil {
		return o.poolSendFailed(ctx, r, msg, to, err, tell)
	}
	from := sent.From
	if from == "" {
		// Telnyx always names the number it chose; without it the reply
		// cannot be placed, so the teammate hears where it went instead.
		tell(fmt.Sprintf("Sent to %s from the number pool (message id `%s`); Telnyx did not say which number it used.", to, sent.ID))
		return o.st().UpdateMessage(ctx, msg.ID, map[string]any{"status": store.OutQueued, "telnyx_id": sent.ID})
	}
	conv, err := o.d.ConversationWith(ctx, from, r.To)
	if err != nil {
		return err
	}
	// It answers the chosen number's conversation: its wait ends (the
	// header is due, and rewritten by the waiting sweep).
	if err := o.st().RecordAnswer(ctx, msg.ID, map[string]any{"status": store.OutQueued, "telnyx_id": sent.ID,
		"conversation_id": conv.ID, "from_number": string(from), "segments": sent.Parts, "encoding": sent.Encoding}, conv.ID, nil); err != nil {
		return fmt.Errorf("record accepted pool send %s: %w", sent.ID, err)
	}
	// Into the chosen number's thread, in that conversation's lane.
	post := domain.ThreadPost{Kind: domain.KindOutbound, Text: msg.Text, Mention: r.AuthorID}
	return o.d.QueuePost(ctx, domain.SentPostKey(sent.ID), domain.ThreadPostWork{Our: from, Remotes: r.To, Post: post, TelnyxID: sent.ID})
}

// poolSendFailed records and tells what a failed pool send means: a
// retry when Telnyx never took it, an opt-out, a refusal, or an ambiguous
// outcome that is never resent on its own.
func (o *Outbound) poolSendFailed(ctx context.Context, r SendRequest, msg *store.Message, to string, err error, tell func(string)) error {
	se := sender.ErrorOf(err)
	status, why := store.OutAmbiguous, fmt.Sprintf("The text to %s from the number pool may or may not have gone out: Telnyx did not answer clearly. It was not sent again automatically.", to)
	switch se.Kind {
	case sender.SendNotSent:
		if _, uerr := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutPending, "error_text": se.Error()}, store.OutSending); uerr != nil {
			return uerr
		}
		return domain.RetryAt(fmt.Errorf("pool send not made, will retry: %w", err), se.RetryAt)
	case sender.SendOptedOut:
		status, why = store.OutOptedOut, fmt.Sprintf("Not sent: Telnyx says %s opted out of this messaging profile (error %s).", to, domain.OrDefault(se.Code, "40300"))
		if len(r.To) == 1 {
			if _, err := o.d.RecordOptOut(ctx, "", r.To[0], r.ProfileID, store.OptOutTelnyx, "", ""); err != nil {
				return err
			}
		}
	case sender.SendRejected:
		status, why = store.OutFailed, "Not sent: Telnyx refused the text to "+to+sendRefusal(se)
	}
	if _, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": status, "error_text": why}, store.OutSending); err != nil {
		return err
	}
	tell(why)
	return nil
}

// sendRefusal is the end of a sentence about a Telnyx refusal: its title
// and code.
func sendRefusal(se *sender.SendError) string {
	s := ""
	if se.Title != "" {
		s += ": " + se.Title
	}
	if se.Code != "" {
		s += fmt.Sprintf(" (error %s)", se.Code)
	}
	return s + "."
}

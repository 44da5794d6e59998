package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
)

// Sending one outbox entry: the checks before Telnyx (opt-outs, limits,
// the sender's budget), the attempt recorded before the call, and what
// each answer leaves the entry as (outbound.go says which is safe).

// process moves an outbox entry on from where it stands. Only a pending
// entry is sent; one found "sending" was attempted by a process that died
// before it learnt the result, and is shown as ambiguous.
func (o *Outbound) process(ctx context.Context, conv *store.Conversation, msg *store.Message) error {
	switch msg.Status {
	case store.OutPending:
	case store.OutSending:
		return o.markAmbiguous(ctx, conv, msg, "smsbridge stopped while this SMS was being handed to Telnyx, so it is not known whether it went out.")
	default:
		return nil // already handled: a redelivery or the same message seen twice
	}
	remotes := domain.Remotes(conv.RemoteKey)
	// The one opt-out policy, asked now, when it would be sent.
	blocked, err := o.d.MayText(ctx, domain.E164(conv.OurNumber), "", remotes)
	if err != nil {
		return err
	}
	if len(blocked) > 0 {
		return o.refuse(ctx, conv, msg, store.OutOptedOut, domain.BlockedReason(blocked))
	}
	var urls []string
	_ = json.Unmarshal([]byte(msg.Media), &urls)
	parts, enc := 0, ""
	whatsapp := conv.Kind == store.KindWhatsApp
	switch {
	case whatsapp && len(urls) > 0:
		return o.refuse(ctx, conv, msg, store.OutRefused, "Not sent: smsbridge sends WhatsApp messages as text only; send the text without the file.")
	case whatsapp && msg.Text == "":
		return o.refuse(ctx, conv, msg, store.OutRefused, "Not sent: the reply has no text.")
	case whatsapp && len([]rune(msg.Text)) > MaxWhatsAppText:
		return o.refuse(ctx, conv, msg, store.OutRefused, fmt.Sprintf("Not sent: a WhatsApp text is at most %d characters; this one has %d. Shorten it or split it into several replies.", MaxWhatsAppText, len([]rune(msg.Text))))
	case whatsapp:
	case len(urls) == 0:
		if msg.Text == "" {
			return o.refuse(ctx, conv, msg, store.OutRefused, "Not sent: the reply has no text.")
		}
		parts, enc = o.cfg.Segments(msg.Text)
		if parts > MaxSegments {
			return o.refuse(ctx, conv, msg, store.OutRefused, fmt.Sprintf(
				"Not sent: this reply needs %d SMS segments (%s) and one SMS can have at most %d. Shorten it or split it into several replies.",
				parts, enc, MaxSegments))
		}
	}
	var media []string
	if len(urls) > 0 && domain.IsSendKey(msg.OutboxKey) {
		media = urls // given as URLs Telnyx fetches itself
	} else if len(urls) > 0 {
		if o.cfg.PublicBaseURL == "" || o.files == nil {
			return o.refuse(ctx, conv, msg, store.OutRefused,
				"Not sent: sending files as MMS needs PUBLIC_BASE_URL, the address where Telnyx can fetch them from smsbridge. Ask an admin to set it, or send the text without the file.")
		}
		media, err = o.prepareMedia(ctx, msg, urls)
		if errors.Is(err, domain.ErrPermanent) {
			return o.refuse(ctx, conv, msg, store.OutRefused, "Not sent: "+err.Error())
		}
		if err != nil {
			return err
		}
	}

	// Wait for the sender's turn while still pending: the lane waits,
	// other conversations go on, and nothing is recorded as attempted.
	if at, err := o.reserveSend(ctx, conv, msg); err != nil || !at.IsZero() {
		return pacedOrErr(conv, at, err)
	}
	// Record the attempt before Telnyx is called: a crash from here on
	// leaves "sending", which a restart shows as ambiguous, never resends.
	ok, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutSending, "segments": parts, "encoding": enc}, store.OutPending)
	if err != nil || !ok {
		return err
	}
	msg.Status, msg.Segments, msg.Encoding = store.OutSending, parts, enc
	sctx, cancel := context.WithTimeout(ctx, o.cfg.SendTimeout)
	sent, err := o.sender.SendSMS(sctx, sender.OutSMS{Kind: conv.Kind, From: domain.E164(conv.OurNumber), To: remotes, Text: msg.Text, MediaURLs: media})
	cancel()
	if err != nil {
		return o.sendFailed(ctx, conv, msg, err)
	}
	return o.sendAccepted(ctx, conv, msg, sent)
}

func (o *Outbound) sendAccepted(ctx context.Context, conv *store.Conversation, msg *store.Message, sent *sender.SentSMS) error {
	fields := map[string]any{"status": store.OutQueued, "telnyx_id": sent.ID, "error_text": ""}
	if sent.Parts > 0 && msg.Segments == 0 {
		msg.Segments = sent.Parts
		fields["segments"] = sent.Parts
	}
	// Accepted by Telnyx is answered: the wait ends with the send, in its
	// transaction (a later delivery failure is shown in the thread). An
	// auto-reply is not the team's answer: the conversation still waits.
	answer := !domain.IsAutoReply(msg)
	var err error
	if answer {
		activity := map[string]any{"last_direction": store.Outbound, "last_activity_at": o.now(), "last_text": msg.Text}
		err = o.st().RecordAnswer(ctx, msg.ID, fields, conv.ID, activity)
	} else {
		err = o.st().UpdateMessage(ctx, msg.ID, fields)
	}
	if err != nil {
		// Telnyx has it; failing to record that must not lead to a resend.
		// The entry stays "sending" and a retry shows it as ambiguous.
		return fmt.Errorf("record accepted send %s: %w", sent.ID, err)
	}
	// The conversation no longer waits for an answer: App Homes change,
	// and the header stops saying so.
	o.d.InboxChanged(ctx, conv.AssigneeID, msg.AuthorID)
	if answer && conv.WaitingSince != nil {
		o.d.ShowAnswered(ctx, conv.ID)
	}
	// What follows only shows the state; the send itself is recorded, so
	// Slack failures are logged, not retried (a retry would find nothing to do).
	if err := o.poster().React(ctx, msgRef(msg), ReactQueued); err != nil {
		o.log.Warn("react queued", "message", msg.ID, "err", err)
	}
	if msg.Segments > 1 {
		thread, _ := domain.CurrentThread(conv)
		note := fmt.Sprintf("Sent as %d SMS segments (%s).", msg.Segments, domain.OrDefault(msg.Encoding, "encoding unknown"))
		if _, err := o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindOutbound, Text: note}); err != nil {
			o.log.Warn("post send confirmation", "message", msg.ID, "err", err)
		}
	}
	return nil
}

func (o *Outbound) sendFailed(ctx context.Context, conv *store.Conversation, msg *store.Message, err error) error {
	se := sender.ErrorOf(err)
	switch se.Kind {
	case sender.SendNotSent:
		o.slowDown(ctx, conv, se) // a 429 or full queue slows the whole sender
		// Telnyx never saw it: back to pending, and the engine tries again
		// (after the rate limit's reset when there is one).
		// Past GiveUpAfter a late SMS is worse than asking: it stops, and
		// the thread offers Send again.
		if o.now().Sub(msg.CreatedAt) > o.cfg.GiveUpAfter {
			why := fmt.Sprintf("Not sent: Telnyx could not take it for %s (%s). Nothing reached the phone; press Send again to try now.",
				domain.HumanDuration(o.cfg.GiveUpAfter), se.Error())
			actions := []domain.Action{{ID: ActionSendAgain, Label: "Send again", Value: strconv.FormatUint(msg.ID, 10), Style: "primary"}}
			return o.finish(ctx, conv, msg, store.OutSending, store.OutNotSent, why, actions)
		}
		if _, uerr := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutPending, "error_text": se.Error()}, store.OutSending); uerr != nil {
			return uerr
		}
		return domain.RetryAt(fmt.Errorf("send not made, will retry: %w", err), se.RetryAt)
	case sender.SendOptedOut:
		// Telnyx knows of an opt-out we did not: record it, so nothing
		// else is sent to them from here either.
		if err := o.d.RecordTelnyxOptOut(ctx, conv); err != nil {
			return err
		}
		why := fmt.Sprintf("Not sent: Telnyx says %s opted out (error %s). smsbridge will not text them until they send START.",
			strings.Join(domain.E164Strings(domain.Remotes(conv.RemoteKey)), ", "), domain.OrDefault(se.Code, "40300"))
		return o.finish(ctx, conv, msg, store.OutSending, store.OutOptedOut, why, nil)
	case sender.SendRejected:
		return o.finish(ctx, conv, msg, store.OutSending, store.OutFailed, "Not sent: Telnyx refused this message"+sendRefusal(se), nil)
	default:
		return o.markAmbiguous(ctx, conv, msg, fmt.Sprintf("The send to Telnyx failed in a way that does not tell whether the SMS went out (%s).", se.Error()))
	}
}

// markAmbiguous shows an attempt whose outcome is unknown, with a button to
// send it again. It is never resent without a person deciding.
func (o *Outbound) markAmbiguous(ctx context.Context, conv *store.Conversation, msg *store.Message, why string) error {
	text := why + " It was not sent again automatically, so the phone does not get it twice. If it did not arrive, press Send again."
	actions := []domain.Action{{ID: ActionSendAgain, Label: "Send again", Value: strconv.FormatUint(msg.ID, 10), Style: "primary"}}
	return o.finish(ctx, conv, msg, store.OutSending, store.OutAmbiguous, text, actions)
}

// refuse ends a pending entry that our own rules keep from being sent.
func (o *Outbound) refuse(ctx context.Context, conv *store.Conversation, msg *store.Message, status, why string) error {
	return o.finish(ctx, conv, msg, store.OutPending, status, why, nil)
}

// finish posts why in the thread, marks the reply, and moves the entry from
// status from to status to. The post comes first, so the team always hears
// of it; the record after it is retried in place (Bridge.record), so only
// a crash in between can post it twice.
func (o *Outbound) finish(ctx context.Context, conv *store.Conversation, msg *store.Message, from, to, why string, actions []domain.Action) error {
	thread, _ := domain.CurrentThread(conv)
	kind := domain.KindError
	if to == store.OutOptedOut || to == store.OutRefused || to == store.OutHeldQuiet {
		kind = domain.KindNote
	}
	if _, err := o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: kind, Text: why, Actions: actions}); err != nil {
		return fmt.Errorf("post outbound outcome: %w", err)
	}
	if r := reactionFor(to); r != "" {
		if err := o.poster().React(ctx, msgRef(msg), r); err != nil {
			o.log.Warn("react", "message", msg.ID, "err", err)
		}
	}
	// The note is posted: record the outcome before anything else, so a
	// failing write cannot post it twice.
	return o.d.Record(ctx, "outbound outcome", func(ctx context.Context) error {
		_, err := o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": to, "error_text": why}, from)
		return err
	})
}

// reactionFor is the reaction that shows status on the teammate's reply.
func reactionFor(status string) string {
	switch status {
	case store.OutQueued, store.OutSent:
		return ReactQueued
	case store.OutDelivered:
		return ReactDelivered
	case store.OutFailed, store.OutExpired, store.OutOptedOut, store.OutNotSent:
		return ReactFailed
	case store.OutAmbiguous:
		return ReactAmbiguous
	case store.OutUnconfirmed:
		return ReactUnconfirmed
	case store.OutRefused, store.OutHeldQuiet:
		return ReactRefused
	}
	return ""
}

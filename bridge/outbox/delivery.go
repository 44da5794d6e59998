package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Delivery: message.sent and message.finalized move an outbound message's
// status forward, never back. They may come twice or out of order
// (finalized before sent); a status only replaces one of lower rank, so the
// final state stays final.

// statusRank orders outbound statuses; a webhook only moves a message to a
// higher rank.
func statusRank(s string) int {
	switch s {
	case store.OutPending:
		return 0
	case store.OutSending, store.OutAmbiguous, store.OutNotSent:
		return 1
	case store.OutQueued:
		return 2
	case store.OutSent:
		return 3
	case store.OutDelivered, store.OutFailed, store.OutUnconfirmed, store.OutExpired:
		return 4
	}
	return 5 // refused, opted out: never sent, nothing to track
}

// lowerThan lists the statuses a webhook status may replace.
func lowerThan(s string) []string {
	var out []string
	for _, c := range []string{store.OutPending, store.OutSending, store.OutAmbiguous, store.OutNotSent, store.OutQueued, store.OutSent} {
		if statusRank(c) < statusRank(s) {
			out = append(out, c)
		}
	}
	return out
}

// deliveryStatus reads the status a delivery webhook reports. A group MMS
// has one status per recipient: it counts as failed if any failed, and
// delivered only when all were.
func deliveryStatus(typ string, p *telnyx.Message) string {
	if typ == telnyxhook.EventMessageSent {
		return store.OutSent
	}
	seen := map[string]bool{}
	for _, t := range p.To {
		seen[t.Status] = true
	}
	switch {
	case seen[telnyx.StatusDeliveryFailed] || seen[telnyx.StatusSendingFailed]:
		return store.OutFailed
	case seen[telnyx.StatusExpired]:
		return store.OutExpired
	case seen[telnyx.StatusDeliveryUnconfirmed]:
		return store.OutUnconfirmed
	case seen[telnyx.StatusDelivered]:
		return store.OutDelivered
	case len(p.Errors) > 0:
		return store.OutFailed
	}
	return store.OutUnconfirmed // finalized without a final status: nobody confirmed delivery
}

func (o *Outbound) handleDelivery(ctx context.Context, ev *store.Event) error {
	tev, err := telnyxhook.ParseWebhook(ev.Payload)
	if err != nil || tev.Message == nil {
		return domain.Permanent(fmt.Errorf("stored event does not parse: %v", err))
	}
	p := tev.Message
	msg, err := o.st().MessageByTelnyxID(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		// Sent by something else (the portal, /sms send) or by an attempt
		// whose id we never learnt.
		o.log.Debug("delivery report for a message we do not track", "type", tev.Type)
		return nil
	}
	if err != nil {
		return err
	}
	if msg.Direction != store.Outbound {
		return nil
	}
	status := deliveryStatus(tev.Type, p)
	if statusRank(status) <= statusRank(msg.Status) {
		return nil // a repeat, or older news than what we know
	}
	conv, err := o.st().Conversation(ctx, msg.ConversationID)
	if err != nil {
		return err
	}
	errText := carrierError(p)

	if status == store.OutFailed && hasCode(p, "40300") {
		// The carrier refused because they sent STOP: stop texting them.
		if err := o.d.RecordTelnyxOptOut(ctx, conv); err != nil {
			return err
		}
	}

	// Slack first, then the record: a failure here is retried, and
	// reactions are idempotent. A message sent some other way (/sms send)
	// has no Slack reply to react on.
	ref := msgRef(msg)
	if old, nu := reactionFor(msg.Status), reactionFor(status); old != nu && ref.Channel != "" && ref.TS != "" {
		if nu != "" {
			if err := o.poster().React(ctx, ref, nu); err != nil {
				return fmt.Errorf("react %s: %w", nu, err)
			}
		}
		if old != "" {
			if err := o.poster().RemoveReaction(ctx, ref, old); err != nil {
				return fmt.Errorf("remove reaction %s: %w", old, err)
			}
		}
	}
	if status == store.OutFailed || status == store.OutExpired {
		note := "The SMS was not delivered"
		if status == store.OutExpired {
			note = "The SMS expired before it could be delivered"
		}
		if errText != "" {
			note += ": " + errText
		}
		if thread, ok := domain.CurrentThread(conv); ok {
			if _, err := o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindError, Text: note + "."}); err != nil {
				return fmt.Errorf("post delivery failure: %w", err)
			}
		}
	}
	_, err = o.st().UpdateMessageIf(ctx, msg.ID, map[string]any{"status": status, "error_text": errText}, lowerThan(status)...)
	return err
}

// carrierError is the errors[] of a delivery report as the thread shows
// it: the carrier's title, detail and code.
func carrierError(p *telnyx.Message) string {
	var parts []string
	for _, e := range p.Errors {
		parts = append(parts, ErrorWords(e.Code, e.Title, e.Detail))
	}
	return strings.Join(parts, "; ")
}

func hasCode(p *telnyx.Message, code string) bool {
	for _, e := range p.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

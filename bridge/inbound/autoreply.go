package inbound

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// The auto-reply: outside our number's business hours, the first text of
// a waiting spell gets the reply the team wrote (/sms hours … reply). It
// is a Send in the conversation's lane, queued by the inbound text's
// handler, so it leaves through the one outbox (opt-out policy, pacing,
// "sending" before Telnyx, Send again), after the text it answers, and
// once: its key is the inbound message's Telnyx id. It is noted in the
// thread like any Send. At most one per conversation per
// SMSBRIDGE_AUTOREPLY_EVERY (store.ClaimAutoReply). Keywords (STOP, START,
// HELP…) never get it, nor anyone the policy blocks, nor a group MMS
// (it would text every member). It does not end the waiting: the team has
// not answered.

// maybeAutoReply queues the auto-reply to msg when it earns one.
// inserted says the text was stored by this run of its handler (not a
// retry); wasResolved is the conversation's state before this text
// reopened it.
func (ib *Inbound) maybeAutoReply(ctx context.Context, conv *store.Conversation, msg *store.Message, p *telnyx.Message, inserted, wasResolved bool) error {
	our, remotes := domain.E164(conv.OurNumber), domain.Remotes(conv.RemoteKey)
	if len(remotes) != 1 || msg.TelnyxID == nil || !ib.engine.Wants(domain.SourceBridge, outbox.EventSend) {
		return nil
	}
	if _, kind := Keyword(p.Text); kind != KeywordNone {
		return nil
	}
	h, err := ib.d.HoursOf(ctx, our)
	if err != nil {
		return err
	}
	if !h.Set() || h.Reply == "" || h.IsOpen(msg.CreatedAt) {
		return nil
	}
	if first, err := ib.firstOfSpell(ctx, conv, msg, inserted, wasResolved); err != nil || !first {
		return err
	}
	blocked, err := ib.d.MayText(ctx, our, p.MessagingProfileID, remotes)
	if err != nil || len(blocked) > 0 {
		return err
	}
	ok, err := ib.st.ClaimAutoReply(ctx, conv.ID, *msg.TelnyxID, ib.st.Now(), ib.cfg.AutoReplyEvery)
	if err != nil || !ok {
		return err
	}
	r := outbox.SendRequest{Key: domain.AutoReplyKey(*msg.TelnyxID), Kind: conv.Kind, From: our, To: remotes, Text: h.Reply, AutoReply: true}
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	queued, err := ib.st.InsertEvent(ctx, &store.Event{Source: domain.SourceBridge, ExternalID: domain.SendKey(r.Key), Type: outbox.EventSend, Lane: domain.LaneOf(conv), Payload: payload})
	if queued {
		ib.engine.Notify()
	}
	return err
}

// firstOfSpell reports whether msg starts the conversation's waiting
// spell, the one the store keeps (store.InsertInbound: the first text
// since the team's last accepted answer or a resolve; the auto-reply does
// not end it). A retry of the handler finds the spell's count moved on;
// then the messages decide: the conversation was resolved, or the message
// before msg (auto-replies left out) is ours, or there is none.
func (ib *Inbound) firstOfSpell(ctx context.Context, conv *store.Conversation, msg *store.Message, inserted, wasResolved bool) (bool, error) {
	switch {
	case conv.WaitingSince == nil:
		return false, nil // answered or resolved since: nobody waits
	case inserted:
		return conv.WaitingCount == 1, nil
	case wasResolved:
		return true, nil
	}
	prev, err := ib.st.PreviousMessage(ctx, conv.ID, msg.ID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return prev.Direction == store.Outbound, nil
}

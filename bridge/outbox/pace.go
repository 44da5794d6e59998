package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/pace"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// reserveSend asks the pacer, if there is one, for msg's turn to be sent
// from the conversation's number.
func (o *Outbound) reserveSend(ctx context.Context, conv *store.Conversation, msg *store.Message) (time.Time, error) {
	if o.cfg.Pacer == nil || conv.OurNumber == "" {
		// No sender of ours to pace: a number pool picks one at Telnyx.
		return time.Time{}, nil
	}
	return o.cfg.Pacer.Reserve(ctx, conv.OurNumber, domain.MessageHolder(msg.ID))
}

// Pacer is the outbound pipeline's pacer (nil without one), for the
// scheduler's hand-offs to share.
func (o *Outbound) Pacer() *pace.Pacer { return o.cfg.Pacer }

func pacedOrErr(conv *store.Conversation, at time.Time, err error) error {
	if err != nil {
		return fmt.Errorf("sending budget: %w", err)
	}
	return &pace.Waiting{From: conv.OurNumber, At: at}
}

// slowDown pauses the conversation's sender after Telnyx refused a send for
// its rate (a 429, until its reset) or its full queue (40318, a short
// rest), so the sender's other conversations wait too instead of each
// drawing its own 429.
func (o *Outbound) slowDown(ctx context.Context, conv *store.Conversation, se *sender.SendError) {
	if o.cfg.Pacer == nil || conv.OurNumber == "" {
		return
	}
	until := se.RetryAt
	_, limited := telnyx.IsRateLimited(se.Err)
	switch {
	case se.Code == telnyx.CodeQueueFull:
		if rest := o.now().Add(pace.QueueFullPause); rest.After(until) {
			until = rest
		}
	case !limited:
		return // not sent for another reason (connection refused): not a rate
	case until.IsZero():
		until = o.now().Add(time.Second)
	}
	if err := o.cfg.Pacer.SlowDown(ctx, conv.OurNumber, until); err != nil {
		o.log.Warn("slow down sender", "from", conv.OurNumber, "until", until, "err", err)
	}
}

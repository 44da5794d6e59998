package outbox

import (
	"context"
	"strconv"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// ActionScheduleQuiet is the action_id of "Schedule for 8:00 their time"
// on a held thread reply; its value is the message id.
const ActionScheduleQuiet = "outbox_schedule_quiet"

// QuietError is a send or schedule refused because it would arrive in
// quiet hours and was not confirmed.
type QuietError struct {
	Quiet     *clock.Quiet
	Scheduled bool // a schedule, not a send now
}

func (e *QuietError) Error() string {
	verb := "Not sent"
	if e.Scheduled {
		verb = "Not scheduled"
	}
	return verb + ": " + e.Quiet.Reason()
}

// holdIfQuiet holds a pending thread reply that would arrive in quiet
// hours, and reports whether it did.
func (o *Outbound) holdIfQuiet(ctx context.Context, conv *store.Conversation, msg *store.Message) (bool, error) {
	if msg.Status != store.OutPending || domain.IsSendKey(msg.OutboxKey) {
		return false, nil
	}
	remotes := domain.Remotes(conv.RemoteKey)
	q := o.d.QuietCheck(remotes, o.now())
	if q == nil {
		return false, nil
	}
	id := strconv.FormatUint(msg.ID, 10)
	actions := []domain.Action{{ID: ActionSendAgain, Label: "Send anyway", Value: id, Style: "danger"}}
	if len(remotes) == 1 {
		actions = append(actions, domain.Action{ID: ActionScheduleQuiet, Label: "Schedule for " + q.UntilText(), Value: id, Style: "primary"})
	}
	why := "Held, not sent: " + q.Reason() + " Send it anyway, or schedule it for when their morning starts."
	return true, o.finish(ctx, conv, msg, store.OutPending, store.OutHeldQuiet, why, actions)
}

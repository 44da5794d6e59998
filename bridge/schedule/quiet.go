package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/store"
)

// Quiet hours on every way out. A Send (/sms send, group, whatsapp, the
// compose modal) that would arrive in a recipient's quiet hours is not
// queued unless the teammate confirmed it (SendRequest.ConfirmQuiet): the
// Slack side asks, with Send anyway and Schedule for the end of the
// window. A schedule into the window is refused unless confirmed
// (ScheduleRequest.ConfirmQuiet). A thread reply typed in the quiet
// window is held (store.OutHeldQuiet), not sent: the thread says why and
// offers Send anyway (ActionSendAgain, which sends a held reply like an
// ambiguous one) and, for a 1:1, Schedule for the end of the window
// (ActionScheduleQuiet). Nothing the team did not confirm reaches a phone
// at night; a reply a teammate meant to send now is one press away. The
// auto-reply answers a text just received and is not held.

// ScheduleHeld schedules a thread reply held for quiet hours for the end
// of the window (at least Telnyx's minimum ahead), and marks the held
// entry as rescheduled, so Send anyway no longer sends it. The held entry
// is claimed first (held → rescheduled, a compare-and-set), so of two
// presses at once, or a Schedule racing a Send anyway, one wins and the
// other schedules or sends nothing; a schedule that is refused puts the
// reply back to held.
func (s *Scheduler) ScheduleHeld(ctx context.Context, messageID uint64, by string) (*store.ScheduledMessage, error) {
	msg, err := s.st.Message(ctx, messageID)
	if err != nil {
		return nil, err
	}
	conv, err := s.st.Conversation(ctx, msg.ConversationID)
	if err != nil {
		return nil, err
	}
	remotes := domain.Remotes(conv.RemoteKey)
	if len(remotes) != 1 {
		return nil, &outbox.RefusedError{Reason: "A group message cannot be scheduled; send it anyway or write it again in the morning."}
	}
	ok, err := s.st.UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutRescheduled,
		"error_text": "Being scheduled."}, store.OutHeldQuiet)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &outbox.RefusedError{Reason: "This reply is no longer held: it was sent or scheduled already."}
	}
	now := s.Now()
	at := now.Add(TelnyxMinAhead + time.Minute)
	if q := s.d.QuietCheck(remotes, now); q != nil && q.Until.After(at) {
		at = q.Until
	}
	m, err := s.Schedule(ctx, ScheduleRequest{From: domain.E164(conv.OurNumber), To: remotes[0], Text: msg.Text, SendAt: at, By: by, ConfirmQuiet: true})
	if err != nil {
		if _, rerr := s.st.UpdateMessageIf(ctx, msg.ID, map[string]any{"status": store.OutHeldQuiet,
			"error_text": msg.ErrorText}, store.OutRescheduled); rerr != nil {
			s.log.Error("quiet hours: put a reply back to held after a refused schedule", "message", msg.ID, "err", rerr)
		}
		return nil, err
	}
	if _, err := s.st.UpdateMessageIf(ctx, msg.ID, map[string]any{"error_text": fmt.Sprintf("Scheduled as #%d.", m.ID)}, store.OutRescheduled); err != nil {
		s.log.Warn("quiet hours: note the schedule on the held reply", "message", msg.ID, "err", err)
	}
	return m, nil
}

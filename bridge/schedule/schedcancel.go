package schedule

import (
	"context"
	"fmt"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/store"
)

// Cancelling a scheduled message: who may, and what becomes of a held one
// and of one Telnyx already holds.

// NotYoursError refuses a cancel by someone who neither scheduled the
// message, nor is its conversation's assignee, nor an admin. Author is the
// Slack user who scheduled it ("" when smsbridge did not).
type NotYoursError struct{ Author string }

func (e *NotYoursError) Error() string {
	return "only the teammate who scheduled it, the conversation's assignee or an admin may cancel it"
}

// CancelAs is Cancel for by, who may cancel a message they scheduled, one
// in a conversation assigned to them, or, as an admin, any.
func (s *Scheduler) CancelAs(ctx context.Context, id uint64, by string, admin bool) (*store.ScheduledMessage, error) {
	m, err := s.st.Scheduled(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayCancel(ctx, m, by, admin); err != nil {
		return m, err
	}
	return s.cancel(ctx, id, by, "")
}

// CancelTelnyxAs is CancelTelnyx for by: a message smsbridge scheduled as
// CancelAs allows; one it does not know only an admin may cancel.
func (s *Scheduler) CancelTelnyxAs(ctx context.Context, telnyxID, by string, admin bool) error {
	if m, err := s.st.ScheduledByTelnyxID(ctx, telnyxID); err == nil {
		_, err := s.CancelAs(ctx, m.ID, by, admin)
		return err
	}
	if !admin {
		return &NotYoursError{}
	}
	return s.CancelTelnyx(ctx, telnyxID, by)
}

func (s *Scheduler) mayCancel(ctx context.Context, m *store.ScheduledMessage, by string, admin bool) error {
	if admin || m.CreatedBy == "" || m.CreatedBy == by {
		return nil
	}
	conv, err := s.st.ConversationByNumbers(ctx, store.KindSMS, m.From, m.To)
	if err == nil && conv.AssigneeID != "" && conv.AssigneeID == by {
		return nil
	}
	return &NotYoursError{Author: m.CreatedBy}
}

// Cancel cancels a scheduled message: a held one is dropped here; one
// Telnyx has is cancelled there (DELETE /messages/{id}). A refusal wraps
// ErrNotCancellable with the reason.
func (s *Scheduler) Cancel(ctx context.Context, id uint64, by string) (*store.ScheduledMessage, error) {
	return s.cancel(ctx, id, by, "")
}

// cancel cancels as Cancel does; why, when given, is said in the thread.
func (s *Scheduler) cancel(ctx context.Context, id uint64, by, why string) (*store.ScheduledMessage, error) {
	m, err := s.st.Scheduled(ctx, id)
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case store.SchedHeld:
		ok, err := s.st.UpdateScheduledIf(ctx, id, store.SchedHeld, map[string]any{"status": store.SchedCancelled, "cancelled_by": by})
		if err != nil {
			return nil, err
		}
		if !ok { // handed over meanwhile: cancel it there
			return s.cancel(ctx, id, by, why)
		}
	case store.SchedHanding:
		return m, fmt.Errorf("%w: it is being handed to Telnyx right now; try again in a minute", ErrNotCancellable)
	case store.SchedHanded:
		if _, err := s.api.CancelScheduledMessage(ctx, *m.TelnyxID); err != nil {
			s.log.Warn("cancel at Telnyx failed", "id", m.ID, "err", err)
			return m, fmt.Errorf("%w: %s", ErrNotCancellable, outbox.Explain(err))
		}
		if _, err := s.st.UpdateScheduledIf(ctx, id, store.SchedHanded, map[string]any{"status": store.SchedCancelled, "cancelled_by": by}); err != nil {
			return nil, err
		}
		if msg, err := s.st.MessageByTelnyxID(ctx, *m.TelnyxID); err == nil {
			// Not a delivery status: nothing more to track for it.
			_ = s.st.UpdateMessage(ctx, msg.ID, map[string]any{"status": store.SchedCancelled})
		}
	default:
		return m, fmt.Errorf("%w: it is %s", ErrNotCancellable, m.Status)
	}
	m.Status, m.CancelledBy = store.SchedCancelled, by
	note := fmt.Sprintf("Scheduled message #%d was cancelled.", m.ID)
	if why != "" {
		note = fmt.Sprintf("Scheduled message #%d was cancelled: %s.", m.ID, why)
	}
	if _, err := s.d.PostNote(ctx, domain.ScheduledNoteKey(m.ID, "cancelled"), domain.E164(m.From), []domain.E164{domain.E164(m.To)}, domain.ThreadPost{Kind: domain.KindNote, Text: note, Mention: by}); err != nil {
		s.log.Warn("cancel note failed", "id", id, "err", err)
	}
	return m, nil
}

// CancelTelnyx cancels a message scheduled at Telnyx by its Telnyx id: the
// stored one when we have it, else directly.
func (s *Scheduler) CancelTelnyx(ctx context.Context, telnyxID, by string) error {
	if m, err := s.st.ScheduledByTelnyxID(ctx, telnyxID); err == nil {
		_, err := s.Cancel(ctx, m.ID, by)
		return err
	}
	if _, err := s.api.CancelScheduledMessage(ctx, telnyxID); err != nil {
		s.log.Warn("cancel at Telnyx failed", "err", err)
		return fmt.Errorf("%w: %s", ErrNotCancellable, outbox.Explain(err))
	}
	return nil
}

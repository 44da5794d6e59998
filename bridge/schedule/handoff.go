package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/bridge/pace"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// Handing a scheduled message to Telnyx: the hand-off work runs in its
// conversation's lane like every send, with the claim committed before
// the call and the outcome after it.

// EventHandoff is the bridge work of handing a scheduled message to
// Telnyx: like every send, it runs in its conversation's lane.
const EventHandoff = "sched.handoff"

type handoffWork struct {
	ID       uint64 `json:"id"`
	Announce bool   `json:"announce,omitempty"` // post "Scheduled … [Cancel]" once Telnyx has it
}

// queueHandoff queues m's hand-off in its conversation's lane. The key
// holds the attempt number: a hand-off put back to held after a failure
// that never reached Telnyx is queued again by a later tick.
func (s *Scheduler) queueHandoff(ctx context.Context, m *store.ScheduledMessage, announce bool) error {
	payload, _ := json.Marshal(handoffWork{ID: m.ID, Announce: announce})
	ok, err := s.st.InsertEvent(ctx, &store.Event{Source: domain.SourceBridge, ExternalID: domain.HandoffKey(m.ID, m.Attempts),
		Type: EventHandoff, Lane: domain.ConversationLane(domain.E164(m.From), []domain.E164{domain.E164(m.To)}), Payload: payload})
	if ok {
		s.engine.Notify()
	}
	return err
}

func (s *Scheduler) handleHandoff(ctx context.Context, ev *store.Event) error {
	var w handoffWork
	if err := json.Unmarshal(ev.Payload, &w); err != nil {
		return domain.Permanent(fmt.Errorf("stored hand-off does not parse: %w", err))
	}
	m, err := s.st.Scheduled(ctx, w.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status != store.SchedHeld {
		return nil // cancelled, or handed by an earlier copy of this work
	}
	// One that goes out now (it came due while held) waits for its
	// sender's turn like any send; one Telnyx schedules is sent by Telnyx
	// at its time.
	if s.Pacer != nil && m.SendAt.Sub(s.Now()) < TelnyxMinAhead+time.Minute && strings.HasPrefix(m.From, "+") {
		at, err := s.Pacer.Reserve(ctx, m.From, domain.ScheduledHolder(m.ID))
		if err != nil {
			return fmt.Errorf("sending budget: %w", err)
		}
		if !at.IsZero() {
			return &pace.Waiting{From: m.From, At: at}
		}
	}
	m, err = s.handOff(ctx, m)
	if err != nil {
		return err
	}
	if w.Announce && m.Status == store.SchedHanded {
		s.announce(ctx, m)
	}
	return nil
}

// handOff gives a held message to Telnyx. The claim (held → handing) is
// committed before the call, the outcome after it.
func (s *Scheduler) handOff(ctx context.Context, m *store.ScheduledMessage) (*store.ScheduledMessage, error) {
	now := s.Now()
	ahead := m.SendAt.Sub(now)
	if ahead < -s.Late {
		ok, err := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedMissed,
			"last_error": "smsbridge was not running when it was due"})
		if err == nil && ok {
			m.Status = store.SchedMissed
			s.note(ctx, m, "missed", domain.KindError, fmt.Sprintf("Scheduled message #%d was due at %s but smsbridge was not running then; it was not sent.", m.ID, m.SendAt.Format(time.RFC3339)))
		}
		return m, err
	}
	// Nobody is texted after they opted out, even if they did so after
	// the message was scheduled: the one policy decides.
	from := domain.E164(m.From)
	if m.ProfileID != "" && !strings.HasPrefix(m.From, "+") {
		from = "" // a sender ID or the pool: the profile decides
	}
	blocked, err := s.d.MayText(ctx, from, m.ProfileID, []domain.E164{domain.E164(m.To)})
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		why := "the recipient opted out (sent " + domain.OrDefault(blocked[0].Keyword, "STOP") + ") after it was scheduled"
		ok, err := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedFailed, "last_error": why})
		if err == nil && ok {
			m.Status, m.LastError = store.SchedFailed, why
			s.note(ctx, m, "optedout", domain.KindNote, fmt.Sprintf("Scheduled message #%d was not sent: %s.", m.ID, why))
		}
		return m, err
	}
	ok, err := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedHanding, "handoff_at": now, "attempts": m.Attempts + 1})
	if err != nil {
		return nil, err
	}
	if !ok {
		// Cancelled, or taken by another worker, meanwhile.
		return s.st.Scheduled(ctx, m.ID)
	}
	m.Status, m.HandoffAt, m.Attempts = store.SchedHanding, &now, m.Attempts+1

	var media []string
	_ = json.Unmarshal([]byte(m.Media), &media)
	req := telnyx.SendRequest{From: m.From, To: m.To, Text: m.Text, MediaURLs: media, MessagingProfileID: m.ProfileID}
	var sent *telnyx.Message
	// Telnyx refuses send_at under 5 minutes ahead: a message that became
	// due while held (smsbridge was down) goes out now.
	if ahead >= TelnyxMinAhead+time.Minute {
		req.SendAt = m.SendAt
		sent, err = s.api.ScheduleMessage(ctx, req)
	} else {
		sent, err = s.api.SendMessage(ctx, req)
	}
	if err == nil {
		return s.settleHanded(ctx, m, sent)
	}
	if !telnyx.NotSent(err) {
		s.log.Warn("scheduled hand-off outcome unknown", "id", m.ID, "err", err)
		s.settleUnknown(ctx, m, outbox.Explain(err))
		return m, nil
	}
	if reset, limited := telnyx.IsRateLimited(err); limited || !isTelnyxRefusal(err) {
		// Nothing reached Telnyx: try again later, and not before Telnyx's
		// rate limit resets (the one retry contract: whoever knows the
		// time sets it).
		wait := min(s.Backoff<<min(m.Attempts-1, 6), time.Hour)
		next := now.Add(wait)
		if reset.After(next) {
			next = reset
		}
		_, uerr := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedHeld, "handoff_at": nil, "next_attempt_at": next, "last_error": err.Error()})
		m.Status, m.LastError, m.NextAttemptAt = store.SchedHeld, err.Error(), &next
		return m, uerr
	}
	_, uerr := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedFailed, "last_error": outbox.Explain(err)})
	m.Status, m.LastError = store.SchedFailed, outbox.Explain(err)
	s.log.Warn("scheduled hand-off refused", "id", m.ID, "err", err)
	s.note(ctx, m, "refused", domain.KindError, fmt.Sprintf("Telnyx refused scheduled message #%d: %s", m.ID, strings.TrimPrefix(outbox.Explain(err), "Telnyx refused it: ")))
	return m, uerr
}

// isTelnyxRefusal reports a 4xx answer (or a request the client refused to
// send): resending the same message cannot succeed.
func isTelnyxRefusal(err error) bool {
	var ae *telnyx.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 400 && ae.StatusCode < 500
	}
	return errors.Is(err, telnyx.ErrInvalidRequest)
}

func (s *Scheduler) settleHanded(ctx context.Context, m *store.ScheduledMessage, sent *telnyx.Message) (*store.ScheduledMessage, error) {
	id := sent.ID
	if _, err := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedHanded, "telnyx_id": id, "last_error": ""}); err != nil {
		// Telnyx has it; only our record failed. Say so loudly: a retry
		// would send it twice.
		s.log.Error("scheduled message handed to Telnyx but not recorded", "id", m.ID, "telnyx_id", id, "err", err)
		return nil, err
	}
	m.Status, m.TelnyxID = store.SchedHanded, &id
	// The outbound message, so delivery webhooks find its conversation.
	from := domain.E164(sent.From.PhoneNumber)
	if from == "" {
		from = domain.E164(m.From)
	}
	conv, err := s.d.ConversationWith(ctx, from, []domain.E164{domain.E164(m.To)})
	if err != nil {
		return m, err
	}
	// Queued, as for any message Telnyx accepted: delivery webhooks move it on.
	status := store.OutQueued
	msg := &store.Message{ConversationID: conv.ID, Direction: store.Outbound, TelnyxID: &id, FromNumber: string(from),
		ToNumbers: m.To, Text: m.Text, Media: m.Media, Status: status, Segments: sent.Parts, Encoding: sent.Encoding, AuthorID: m.CreatedBy}
	_, err = s.st.InsertMessage(ctx, msg)
	return m, err
}

func (s *Scheduler) settleUnknown(ctx context.Context, m *store.ScheduledMessage, why string) {
	ok, err := s.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedUnknown, "last_error": why})
	if err != nil || !ok {
		return
	}
	m.Status, m.LastError = store.SchedUnknown, why
	s.note(ctx, m, "unknown", domain.KindError, fmt.Sprintf("Scheduled message #%d may or may not have reached Telnyx (%s). smsbridge will not resend it on its own: check the Telnyx portal before sending it again.", m.ID, why))
}

// note queues a note about m into its conversation's thread; what names
// the occasion, so each is posted once.
func (s *Scheduler) note(ctx context.Context, m *store.ScheduledMessage, what string, kind domain.NoteKind, text string) {
	key := domain.ScheduledNoteKey(m.ID, what)
	if _, err := s.d.PostNote(ctx, key, domain.E164(m.From), []domain.E164{domain.E164(m.To)}, domain.ThreadPost{Kind: kind, Text: text}); err != nil {
		s.log.Warn("scheduled message note failed", "id", m.ID, "err", err)
	}
}

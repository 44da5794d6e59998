package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// Telnyx's scheduling window: send_at must be 5 minutes to 5 days ahead.
const (
	TelnyxMinAhead = 5 * time.Minute
	TelnyxMaxAhead = 5 * 24 * time.Hour
)

// ScheduleAPI is the part of the Telnyx client the scheduler needs.
type ScheduleAPI interface {
	ScheduleMessage(ctx context.Context, r telnyx.SendRequest) (*telnyx.Message, error)
	SendMessage(ctx context.Context, r telnyx.SendRequest) (*telnyx.Message, error)
	CancelScheduledMessage(ctx context.Context, id string) (*telnyx.Message, error)
}

var _ ScheduleAPI = (*telnyx.Client)(nil)

// Scheduling errors the Slack side explains to the teammate.
var (
	ErrTooSoon = errors.New("must be at least 5 minutes ahead")
	// ErrNotCancellable wraps the reason a scheduled message cannot be
	// cancelled (already sent, Telnyx refused, being handed over).
	ErrNotCancellable = errors.New("cannot be cancelled")
)

// Scheduler holds messages scheduled beyond Telnyx's 5-day window in the
// store and hands each to Telnyx once it comes into the window. Every step
// is a compare-and-set on the stored status, recorded before and after the
// call to Telnyx, so a restart resumes, a cancel and a hand-off cannot both
// win, and a hand-off whose outcome is unknown is never repeated: it is
// marked unknown and shown to the team instead.
type Scheduler struct {
	b   *Bridge
	api ScheduleAPI
	log *slog.Logger
	// Now is the clock (tests inject one); default the store's clock.
	Now func() time.Time
	// Margin is how far inside the 5-day window a held message is handed
	// over, so clock skew with Telnyx cannot push it outside; default 1h.
	Margin time.Duration
	// HandoffTimeout is how long a hand-off may be in flight before it is
	// presumed interrupted (a crash) and marked unknown; default 5m.
	HandoffTimeout time.Duration
	// Late is how overdue a held message may be (smsbridge was down) and
	// still be sent; beyond it the message is marked missed; default 1h.
	Late time.Duration
	// Backoff is the wait before retrying a hand-off that failed without
	// reaching Telnyx; default 1m, doubled per attempt up to 1h.
	Backoff time.Duration
	// Pacer, when set, paces the hand-offs that send at once by their
	// sender's budget, as the outbox paces its sends.
	Pacer *Pacer
}

// NewScheduler makes a scheduler on the bridge's store and poster. It
// registers itself for opt-outs: a STOP cancels what is scheduled to that
// number.
func NewScheduler(b *Bridge, api ScheduleAPI, log *slog.Logger) *Scheduler {
	s := &Scheduler{b: b, api: api, log: log, Now: b.st.Now, Margin: time.Hour,
		HandoffTimeout: 5 * time.Minute, Late: time.Hour, Backoff: time.Minute}
	b.OnOptOut(s.cancelForOptOut)
	b.engine.Handle(SourceBridge, EventHandoff, s.handleHandoff)
	return s
}

// cancelForOptOut cancels every message still scheduled to remote from our
// number (or its profile) after they opted out: those held here at once,
// those Telnyx holds with DELETE /messages/{id}. Each is reported in its
// thread; one Telnyx will not cancel any more (under a minute to go) is
// reported as such.
func (s *Scheduler) cancelForOptOut(ctx context.Context, our, remote E164, profile string) {
	froms, err := s.b.numbersOf(ctx, our, profile)
	if err != nil {
		s.log.Warn("opt-out: numbers of the profile; cancelling what our number has scheduled", "err", err)
		froms = []string{string(our)}
	}
	ms, err := s.b.st.ScheduledTo(ctx, string(remote), froms, profile)
	if err != nil {
		s.log.Error("opt-out: list scheduled messages", "err", err)
		return
	}
	for i := range ms {
		m := &ms[i]
		_, err := s.cancel(ctx, m.ID, "", "the recipient opted out")
		if err == nil {
			continue
		}
		s.log.Warn("opt-out: cancel scheduled message", "id", m.ID, "err", err)
		s.note(ctx, m, "optout-not-cancelled", KindError, fmt.Sprintf(
			"The recipient opted out, but scheduled message #%d could not be cancelled (%s). Telnyx refuses a text to anyone who opted out on the same messaging profile.",
			m.ID, strings.TrimPrefix(err.Error(), ErrNotCancellable.Error()+": ")))
	}
}

// ScheduleRequest is a message to send at SendAt.
type ScheduleRequest struct {
	From      E164 // our number, short code or alphanumeric sender ID
	ProfileID string
	To        E164
	Text      string
	Media     []string
	SendAt    time.Time
	By        string // Slack user id
	// ConfirmQuiet: the teammate confirmed a time in the recipient's
	// quiet hours; without it such a schedule is a *QuietError.
	ConfirmQuiet bool
}

// Schedule stores the message and, when SendAt is within Telnyx's window,
// hands it over at once. The returned message says where it stands (held,
// handed, or failed with LastError).
func (s *Scheduler) Schedule(ctx context.Context, r ScheduleRequest) (*store.ScheduledMessage, error) {
	now := s.Now()
	if r.SendAt.Sub(now) < TelnyxMinAhead {
		return nil, ErrTooSoon
	}
	from := r.From
	if r.ProfileID != "" && !strings.HasPrefix(string(from), "+") {
		from = "" // a sender ID or the pool: the profile decides
	}
	blocked, err := s.b.MayText(ctx, from, r.ProfileID, []E164{r.To})
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		return nil, &RefusedError{Reason: strings.Replace(BlockedReason(blocked), "Not sent", "Not scheduled", 1)}
	}
	if q := s.b.QuietCheck([]E164{r.To}, r.SendAt); q != nil && !r.ConfirmQuiet {
		return nil, &QuietError{Quiet: q, Scheduled: true}
	}
	media, _ := json.Marshal(r.Media)
	if r.Media == nil {
		media = []byte("[]")
	}
	m := &store.ScheduledMessage{From: string(r.From), ProfileID: r.ProfileID, To: string(r.To), Text: r.Text,
		Media: string(media), SendAt: r.SendAt.UTC(), Status: store.SchedHeld, CreatedBy: r.By}
	if err := s.b.st.InsertScheduled(ctx, m); err != nil {
		return nil, err
	}
	if s.InWindow(m) {
		// Handed over in the conversation's lane; the thread says it is
		// scheduled once Telnyx has it, or why Telnyx refused it.
		return m, s.queueHandoff(ctx, m, true)
	}
	s.announce(ctx, m)
	return m, nil
}

// announce posts "Scheduled … [Cancel]" into the message's thread, once.
func (s *Scheduler) announce(ctx context.Context, m *store.ScheduledMessage) {
	note := fmt.Sprintf("Scheduled (#%d) for %s: %s", m.ID, m.SendAt.Format("Mon 2 Jan 2006 15:04 UTC"), m.Text)
	cancel := Action{ID: ActionCancelScheduled, Label: "Cancel", Value: fmt.Sprint(m.ID), Style: "danger"}
	if _, err := s.b.PostNote(ctx, scheduledNoteKey(m.ID, "scheduled"), E164(m.From), []E164{E164(m.To)}, ThreadPost{Kind: KindNote, Text: note, Mention: m.CreatedBy, Actions: []Action{cancel}}); err != nil {
		s.log.Warn("scheduled message: thread note failed", "id", m.ID, "err", err)
	}
}

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
	ok, err := s.b.st.InsertEvent(ctx, &store.Event{Source: SourceBridge, ExternalID: handoffKey(m.ID, m.Attempts),
		Type: EventHandoff, Lane: ConversationLane(E164(m.From), []E164{E164(m.To)}), Payload: payload})
	if ok {
		s.b.engine.Notify()
	}
	return err
}

func (s *Scheduler) handleHandoff(ctx context.Context, ev *store.Event) error {
	var w handoffWork
	if err := json.Unmarshal(ev.Payload, &w); err != nil {
		return Permanent(fmt.Errorf("stored hand-off does not parse: %w", err))
	}
	m, err := s.b.st.Scheduled(ctx, w.ID)
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
		at, err := s.Pacer.Reserve(ctx, m.From, fmt.Sprintf("sched:%d", m.ID))
		if err != nil {
			return fmt.Errorf("sending budget: %w", err)
		}
		if !at.IsZero() {
			return &paced{from: m.From, at: at}
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

// ActionCancelScheduled is the action id of a Cancel button on a scheduled
// message; its value is the scheduled message's id.
const ActionCancelScheduled = "sms_sched_cancel"

// InWindow reports whether m is close enough to be handed to Telnyx now.
func (s *Scheduler) InWindow(m *store.ScheduledMessage) bool {
	return m.SendAt.Sub(s.Now()) <= TelnyxMaxAhead-s.Margin
}

// Run hands due messages over every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick does one round: hand-offs interrupted long ago become unknown, and
// held messages now within the window are queued to be handed to Telnyx,
// each in its conversation's lane.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.Now()
	stuck, err := s.b.st.ScheduledInStatus(ctx, store.SchedHanding)
	if err != nil {
		return err
	}
	for i := range stuck {
		m := &stuck[i]
		if m.HandoffAt != nil && now.Sub(*m.HandoffAt) < s.HandoffTimeout {
			continue // another worker's hand-off may still be in flight
		}
		s.settleUnknown(ctx, m, "the hand-off to Telnyx was interrupted (smsbridge stopped while it was in flight)")
	}
	due, err := s.b.st.DueScheduled(ctx, now.Add(TelnyxMaxAhead-s.Margin), now, 100)
	if err != nil {
		return err
	}
	for i := range due {
		if err := s.queueHandoff(ctx, &due[i], false); err != nil {
			return err
		}
	}
	return nil
}

// handOff gives a held message to Telnyx. The claim (held → handing) is
// committed before the call, the outcome after it.
func (s *Scheduler) handOff(ctx context.Context, m *store.ScheduledMessage) (*store.ScheduledMessage, error) {
	now := s.Now()
	ahead := m.SendAt.Sub(now)
	if ahead < -s.Late {
		ok, err := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedMissed,
			"last_error": "smsbridge was not running when it was due"})
		if err == nil && ok {
			m.Status = store.SchedMissed
			s.note(ctx, m, "missed", KindError, fmt.Sprintf("Scheduled message #%d was due at %s but smsbridge was not running then; it was not sent.", m.ID, m.SendAt.Format(time.RFC3339)))
		}
		return m, err
	}
	// Nobody is texted after they opted out, even if they did so after
	// the message was scheduled: the one policy decides.
	from := E164(m.From)
	if m.ProfileID != "" && !strings.HasPrefix(m.From, "+") {
		from = "" // a sender ID or the pool: the profile decides
	}
	blocked, err := s.b.MayText(ctx, from, m.ProfileID, []E164{E164(m.To)})
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		why := "the recipient opted out (sent " + orDefault(blocked[0].Keyword, "STOP") + ") after it was scheduled"
		ok, err := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedFailed, "last_error": why})
		if err == nil && ok {
			m.Status, m.LastError = store.SchedFailed, why
			s.note(ctx, m, "optedout", KindNote, fmt.Sprintf("Scheduled message #%d was not sent: %s.", m.ID, why))
		}
		return m, err
	}
	ok, err := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHeld, map[string]any{"status": store.SchedHanding, "handoff_at": now, "attempts": m.Attempts + 1})
	if err != nil {
		return nil, err
	}
	if !ok {
		// Cancelled, or taken by another worker, meanwhile.
		return s.b.st.Scheduled(ctx, m.ID)
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
		s.settleUnknown(ctx, m, Explain(err))
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
		_, uerr := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedHeld, "handoff_at": nil, "next_attempt_at": next, "last_error": err.Error()})
		m.Status, m.LastError, m.NextAttemptAt = store.SchedHeld, err.Error(), &next
		return m, uerr
	}
	_, uerr := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedFailed, "last_error": Explain(err)})
	m.Status, m.LastError = store.SchedFailed, Explain(err)
	s.log.Warn("scheduled hand-off refused", "id", m.ID, "err", err)
	s.note(ctx, m, "refused", KindError, fmt.Sprintf("Telnyx refused scheduled message #%d: %s", m.ID, strings.TrimPrefix(Explain(err), "Telnyx refused it: ")))
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
	if _, err := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedHanded, "telnyx_id": id, "last_error": ""}); err != nil {
		// Telnyx has it; only our record failed. Say so loudly: a retry
		// would send it twice.
		s.log.Error("scheduled message handed to Telnyx but not recorded", "id", m.ID, "telnyx_id", id, "err", err)
		return nil, err
	}
	m.Status, m.TelnyxID = store.SchedHanded, &id
	// The outbound message, so delivery webhooks find its conversation.
	from := E164(sent.From.PhoneNumber)
	if from == "" {
		from = E164(m.From)
	}
	conv, err := s.b.ConversationWith(ctx, from, []E164{E164(m.To)})
	if err != nil {
		return m, err
	}
	// Queued, as for any message Telnyx accepted: delivery webhooks move it on.
	status := store.OutQueued
	msg := &store.Message{ConversationID: conv.ID, Direction: store.Outbound, TelnyxID: &id, FromNumber: string(from),
		ToNumbers: m.To, Text: m.Text, Media: m.Media, Status: status, Segments: sent.Parts, Encoding: sent.Encoding, AuthorID: m.CreatedBy}
	_, err = s.b.st.InsertMessage(ctx, msg)
	return m, err
}

func (s *Scheduler) settleUnknown(ctx context.Context, m *store.ScheduledMessage, why string) {
	ok, err := s.b.st.UpdateScheduledIf(ctx, m.ID, store.SchedHanding, map[string]any{"status": store.SchedUnknown, "last_error": why})
	if err != nil || !ok {
		return
	}
	m.Status, m.LastError = store.SchedUnknown, why
	s.note(ctx, m, "unknown", KindError, fmt.Sprintf("Scheduled message #%d may or may not have reached Telnyx (%s). smsbridge will not resend it on its own: check the Telnyx portal before sending it again.", m.ID, why))
}

// note queues a note about m into its conversation's thread; what names
// the occasion, so each is posted once.
func (s *Scheduler) note(ctx context.Context, m *store.ScheduledMessage, what string, kind NoteKind, text string) {
	key := scheduledNoteKey(m.ID, what)
	if _, err := s.b.PostNote(ctx, key, E164(m.From), []E164{E164(m.To)}, ThreadPost{Kind: kind, Text: text}); err != nil {
		s.log.Warn("scheduled message note failed", "id", m.ID, "err", err)
	}
}

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
	m, err := s.b.st.Scheduled(ctx, id)
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
	if m, err := s.b.st.ScheduledByTelnyxID(ctx, telnyxID); err == nil {
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
	conv, err := s.b.st.ConversationByNumbers(ctx, store.KindSMS, m.From, m.To)
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
	m, err := s.b.st.Scheduled(ctx, id)
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case store.SchedHeld:
		ok, err := s.b.st.UpdateScheduledIf(ctx, id, store.SchedHeld, map[string]any{"status": store.SchedCancelled, "cancelled_by": by})
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
			return m, fmt.Errorf("%w: %s", ErrNotCancellable, Explain(err))
		}
		if _, err := s.b.st.UpdateScheduledIf(ctx, id, store.SchedHanded, map[string]any{"status": store.SchedCancelled, "cancelled_by": by}); err != nil {
			return nil, err
		}
		if msg, err := s.b.st.MessageByTelnyxID(ctx, *m.TelnyxID); err == nil {
			// Not a delivery status: nothing more to track for it.
			_ = s.b.st.UpdateMessage(ctx, msg.ID, map[string]any{"status": store.SchedCancelled})
		}
	default:
		return m, fmt.Errorf("%w: it is %s", ErrNotCancellable, m.Status)
	}
	m.Status, m.CancelledBy = store.SchedCancelled, by
	note := fmt.Sprintf("Scheduled message #%d was cancelled.", m.ID)
	if why != "" {
		note = fmt.Sprintf("Scheduled message #%d was cancelled: %s.", m.ID, why)
	}
	if _, err := s.b.PostNote(ctx, scheduledNoteKey(m.ID, "cancelled"), E164(m.From), []E164{E164(m.To)}, ThreadPost{Kind: KindNote, Text: note, Mention: by}); err != nil {
		s.log.Warn("cancel note failed", "id", id, "err", err)
	}
	return m, nil
}

// CancelTelnyx cancels a message scheduled at Telnyx by its Telnyx id: the
// stored one when we have it, else directly.
func (s *Scheduler) CancelTelnyx(ctx context.Context, telnyxID, by string) error {
	if m, err := s.b.st.ScheduledByTelnyxID(ctx, telnyxID); err == nil {
		_, err := s.Cancel(ctx, m.ID, by)
		return err
	}
	if _, err := s.api.CancelScheduledMessage(ctx, telnyxID); err != nil {
		s.log.Warn("cancel at Telnyx failed", "err", err)
		return fmt.Errorf("%w: %s", ErrNotCancellable, Explain(err))
	}
	return nil
}

// Pending lists the messages not yet sent.
func (s *Scheduler) Pending(ctx context.Context, limit int) ([]store.ScheduledMessage, error) {
	return s.b.st.PendingScheduled(ctx, s.Now(), limit)
}

// PendingPage is one page of the messages not yet sent, soonest first,
// and how many there are in all.
func (s *Scheduler) PendingPage(ctx context.Context, offset, limit int) ([]store.ScheduledMessage, int64, error) {
	return s.b.st.PendingScheduledPage(ctx, s.Now(), offset, limit)
}

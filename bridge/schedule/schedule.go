// Package schedule holds messages scheduled beyond Telnyx's 5-day window
// and hands each to Telnyx once it comes into it (schedule.go); it owns the
// hand-off work in the conversation's lane (handoff.go), cancelling
// (schedcancel.go) and scheduling a reply held for quiet hours (quiet.go).
// It asks the rest of the domain through Domain (bridge.Bridge implements
// it). Of smsbridge it imports the store, telnyx and the bridge's leaves
// (domain, clock, pace, lanes, outbox); it must not import the bridge, gin,
// slack-go, webhooks or the Slack packages.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/lanes"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/bridge/pace"
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
	d      Domain
	st     *store.Store
	engine *lanes.Engine
	api    ScheduleAPI
	log    *slog.Logger
	// Now is the clock (tests inject one); default the store's clock.
	Now func() time.Time
	// Margin is how far inside the 5-day window a held message is handed
	// over, so clock skew with Telnyx cannot push it outside; DefaultMargin.
	Margin time.Duration
	// HandoffTimeout is how long a hand-off may be in flight before it is
	// presumed interrupted (a crash) and marked unknown;
	// DefaultHandoffTimeout.
	HandoffTimeout time.Duration
	// Late is how overdue a held message may be (smsbridge was down) and
	// still be sent; beyond it the message is marked missed; DefaultLate.
	Late time.Duration
	// Backoff is the wait before retrying a hand-off that failed without
	// reaching Telnyx; DefaultBackoff, doubled per attempt up to 1h.
	Backoff time.Duration
	// Pacer, when set, paces the hand-offs that send at once by their
	// sender's budget, as the outbox paces its sends.
	Pacer *pace.Pacer
}

// The defaults of the Scheduler's fields, which New sets and tests may
// change before it runs.
const (
	DefaultMargin         = time.Hour
	DefaultHandoffTimeout = 5 * time.Minute
	DefaultLate           = time.Hour
	DefaultBackoff        = time.Minute
)

// Domain is what the scheduler asks of the rest of the domain: the opt-out
// policy and its hook, the quiet window, conversations, notes in their
// threads. bridge.Bridge implements it.
type Domain interface {
	MayText(ctx context.Context, from domain.E164, profile string, to []domain.E164) ([]domain.Blocked, error)
	OnOptOut(h domain.OptOutHook)
	// NumbersOf is the numbers of our number's messaging profile (our
	// number alone when it has none).
	NumbersOf(ctx context.Context, our domain.E164, profile string) ([]string, error)
	QuietCheck(to []domain.E164, t time.Time) *clock.Quiet
	ConversationWith(ctx context.Context, our domain.E164, remotes []domain.E164) (*store.Conversation, error)
	PostNote(ctx context.Context, key string, our domain.E164, remotes []domain.E164, p domain.ThreadPost) (channel string, err error)
}

// New makes a scheduler on the store and the engine. It registers itself
// for opt-outs: a STOP cancels what is scheduled to that number.
func New(d Domain, st *store.Store, engine *lanes.Engine, api ScheduleAPI, log *slog.Logger) *Scheduler {
	s := &Scheduler{d: d, st: st, engine: engine, api: api, log: log, Now: st.Now, Margin: DefaultMargin,
		HandoffTimeout: DefaultHandoffTimeout, Late: DefaultLate, Backoff: DefaultBackoff}
	d.OnOptOut(s.cancelForOptOut)
	engine.Handle(domain.SourceBridge, EventHandoff, s.handleHandoff)
	return s
}

// cancelForOptOut cancels every message still scheduled to remote from our
// number (or its profile) after they opted out: those held here at once,
// those Telnyx holds with DELETE /messages/{id}. Each is reported in its
// thread; one Telnyx will not cancel any more (under a minute to go) is
// reported as such.
func (s *Scheduler) cancelForOptOut(ctx context.Context, our, remote domain.E164, profile string) {
	froms, err := s.d.NumbersOf(ctx, our, profile)
	if err != nil {
		s.log.Warn("opt-out: numbers of the profile; cancelling what our number has scheduled", "err", err)
		froms = []string{string(our)}
	}
	ms, err := s.st.ScheduledTo(ctx, string(remote), froms, profile)
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
		s.note(ctx, m, "optout-not-cancelled", domain.KindError, fmt.Sprintf(
			"The recipient opted out, but scheduled message #%d could not be cancelled (%s). Telnyx refuses a text to anyone who opted out on the same messaging profile.",
			m.ID, strings.TrimPrefix(err.Error(), ErrNotCancellable.Error()+": ")))
	}
}

// ScheduleRequest is a message to send at SendAt.
type ScheduleRequest struct {
	From      domain.E164 // our number, short code or alphanumeric sender ID
	ProfileID string
	To        domain.E164
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
	blocked, err := s.d.MayText(ctx, from, r.ProfileID, []domain.E164{r.To})
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		return nil, &outbox.RefusedError{Reason: strings.Replace(domain.BlockedReason(blocked), "Not sent", "Not scheduled", 1)}
	}
	if q := s.d.QuietCheck([]domain.E164{r.To}, r.SendAt); q != nil && !r.ConfirmQuiet {
		return nil, &outbox.QuietError{Quiet: q, Scheduled: true}
	}
	media, _ := json.Marshal(r.Media)
	if r.Media == nil {
		media = []byte("[]")
	}
	m := &store.ScheduledMessage{From: string(r.From), ProfileID: r.ProfileID, To: string(r.To), Text: r.Text,
		Media: string(media), SendAt: r.SendAt.UTC(), Status: store.SchedHeld, CreatedBy: r.By}
	if err := s.st.InsertScheduled(ctx, m); err != nil {
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
	cancel := domain.Action{ID: ActionCancelScheduled, Label: "Cancel", Value: fmt.Sprint(m.ID), Style: "danger"}
	if _, err := s.d.PostNote(ctx, domain.ScheduledNoteKey(m.ID, "scheduled"), domain.E164(m.From), []domain.E164{domain.E164(m.To)}, domain.ThreadPost{Kind: domain.KindNote, Text: note, Mention: m.CreatedBy, Actions: []domain.Action{cancel}}); err != nil {
		s.log.Warn("scheduled message: thread note failed", "id", m.ID, "err", err)
	}
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
	stuck, err := s.st.ScheduledInStatus(ctx, store.SchedHanding)
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
	due, err := s.st.DueScheduled(ctx, now.Add(TelnyxMaxAhead-s.Margin), now, 100)
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

// Pending lists the messages not yet sent.
func (s *Scheduler) Pending(ctx context.Context, limit int) ([]store.ScheduledMessage, error) {
	return s.st.PendingScheduled(ctx, s.Now(), limit)
}

// PendingPage is one page of the messages not yet sent, soonest first,
// and how many there are in all.
func (s *Scheduler) PendingPage(ctx context.Context, offset, limit int) ([]store.ScheduledMessage, int64, error) {
	return s.st.PendingScheduledPage(ctx, s.Now(), offset, limit)
}

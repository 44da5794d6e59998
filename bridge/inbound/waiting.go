package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// A conversation waits for an answer from its first unanswered inbound
// text until the team answers it (an outbound message Telnyx accepted),
// resolves it, or it is closed (store.InsertInbound, store.RecordAnswer,
// Resolve). The header says so ("waiting 12 min, 3 new"); the channel is
// shown each spell once; a spell that lasts gets one nudge.

// ageStep is the step WaitAge counts in at age d.
func ageStep(d time.Duration) time.Duration {
	switch {
	case d < 10*time.Minute:
		return time.Minute
	case d < time.Hour:
		return 5 * time.Minute
	case d < 24*time.Hour:
		return time.Hour
	default:
		return 24 * time.Hour
	}
}

// nextAgeChange is when WaitAge of a wait since since next says something
// else, seen at now.
func nextAgeChange(since, now time.Time) time.Time {
	d := now.Sub(since)
	if d < 0 {
		d = 0
	}
	step := ageStep(d)
	return since.Add((d/step + 1) * step)
}

// showWait rewrites the conversation's header so it shows the wait as it
// is now, and records when it is next due. A rewrite for a new text's
// count within the header debounce (WaitingConfig.HeaderDebounce) of the last is left to the sweep (at the end
// of the debounce); changed (a wait starting or ending) rewrites at once.
func (ib *Inbound) showWait(ctx context.Context, conv *store.Conversation, changed bool) error {
	thread, ok := domain.CurrentThread(conv)
	if !ok {
		return nil
	}
	now := ib.st.Now()
	if !changed && conv.HeaderAt != nil && now.Sub(*conv.HeaderAt) < ib.cfg.Waiting.HeaderDebounce {
		return ib.st.HeaderDue(ctx, conv.ID, conv.HeaderAt.Add(ib.cfg.Waiting.HeaderDebounce))
	}
	if err := ib.poster.UpdateHeader(ctx, thread, ib.HeaderFor(ctx, conv)); err != nil {
		// Due now: the sweep tries again.
		if derr := ib.st.HeaderDue(ctx, conv.ID, now); derr != nil {
			ib.log.Warn("header due", "conversation", conv.ID, "err", derr)
		}
		return fmt.Errorf("update header: %w", err)
	}
	return ib.headerShown(ctx, conv, now)
}

// ShowAnswered rewrites the header of a conversation whose wait an answer
// ended. The answer is recorded: a failure here is logged, and the header
// is left due for the sweep.
func (ib *Inbound) ShowAnswered(ctx context.Context, id uint64) {
	conv, err := ib.st.Conversation(ctx, id)
	if err == nil {
		err = ib.showWait(ctx, conv, true)
	}
	if err != nil {
		ib.log.Warn("header after an answer", "conversation", id, "err", err)
	}
}

// headerShown records that conv's header was rewritten at now, and when
// its shown age next goes out of date (never, when nobody waits).
func (ib *Inbound) headerShown(ctx context.Context, conv *store.Conversation, now time.Time) error {
	var next *time.Time
	if conv.WaitingSince != nil {
		at := nextAgeChange(*conv.WaitingSince, now)
		next = &at
	}
	conv.HeaderAt = &now
	return ib.d.Record(ctx, "header shown", func(ctx context.Context) error {
		return ib.st.HeaderShown(ctx, conv.ID, now, next)
	})
}

// Waiter is the loop that keeps waits visible: it rewrites headers whose
// age or count is out of date (a few each tick, within chat.update's tier)
// and nudges conversations that waited too long. Several replicas may run
// it: each header rewrite and each nudge is claimed in the store first.
type Waiter struct {
	ib  *Inbound
	cfg WaitingConfig
	log *slog.Logger
}

// NewWaiter makes the loop; its settings are the pipeline's
// (Config.Waiting, with its defaults).
func NewWaiter(ib *Inbound, log *slog.Logger) *Waiter {
	return &Waiter{ib: ib, cfg: ib.cfg.Waiting, log: log}
}

// Run ticks every interval (zero: WaitingConfig.Tick) until ctx ends.
func (w *Waiter) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = w.cfg.Tick
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.Tick(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("waiting tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick does one round: due nudges are queued, due headers rewritten.
func (w *Waiter) Tick(ctx context.Context) error {
	if err := w.nudge(ctx); err != nil {
		return err
	}
	return w.refreshHeaders(ctx)
}

// refreshHeaders rewrites the headers that are due, most overdue first.
// A claim puts a header off by the header debounce first, so a failed rewrite (or a
// replica that died) is tried again then.
func (w *Waiter) refreshHeaders(ctx context.Context) error {
	now := w.ib.st.Now()
	due, err := w.ib.st.DueHeaders(ctx, now, w.cfg.HeadersPerTick)
	if err != nil {
		return err
	}
	for i := range due {
		c := &due[i]
		ok, err := w.ib.st.ClaimHeader(ctx, c.ID, now, now.Add(w.cfg.HeaderDebounce))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		thread, has := domain.CurrentThread(c)
		if !has {
			continue
		}
		if err := w.ib.poster.UpdateHeader(ctx, thread, w.ib.HeaderFor(ctx, c)); err != nil {
			w.log.Warn("refresh header", "conversation", c.ID, "err", err)
			continue
		}
		if err := w.ib.headerShown(ctx, c, now); err != nil {
			return err
		}
	}
	return nil
}

// nudge queues one thread post for each conversation that has waited
// longer than NudgeAfter and has not been nudged this spell. The claim is
// a compare-and-set, so one replica nudges; the post goes through the
// conversation's lane with a key of its spell, so it is posted once.
func (w *Waiter) nudge(ctx context.Context) error {
	if w.cfg.NudgeAfter <= 0 {
		return nil
	}
	now := w.ib.st.Now()
	before := now.Add(-w.cfg.NudgeAfter)
	due, err := w.ib.st.DueNudges(ctx, before, w.cfg.NudgesPerTick)
	if err != nil {
		return err
	}
	for i := range due {
		c := &due[i]
		// Only our number's open hours count (issue 16): a text on Friday
		// evening is not overdue on Monday at 9:01. Open time is never more
		// than the wall time the query selected by, so it only filters.
		open, err := w.ib.d.OpenDuration(ctx, domain.E164(c.OurNumber), *c.WaitingSince, now)
		if err != nil {
			return err
		}
		if open < w.cfg.NudgeAfter {
			continue // asked again next tick
		}
		ok, err := w.ib.st.ClaimNudge(ctx, c.ID, before)
		if err != nil {
			return err
		}
		if !ok || c.OptedOut || c.WaitingSince == nil {
			continue // another replica took it; nobody can answer an opt-out
		}
		key := domain.NudgeKey(c.ID, *c.WaitingSince)
		work := domain.ThreadPostWork{Kind: c.Kind, Our: domain.E164(c.OurNumber), Remotes: domain.Remotes(c.RemoteKey), Post: w.nudgePost(c)}
		if err := w.ib.QueuePost(ctx, key, work); err != nil {
			return err
		}
	}
	return nil
}

// nudgePost is the thread message of a nudge: the assignee, or the on-call
// group when unassigned, mentioned; with neither, it says so plainly (a
// channel-wide @here for every late answer would teach people to ignore it).
func (w *Waiter) nudgePost(c *store.Conversation) domain.ThreadPost {
	age := domain.WaitAge(w.ib.st.Now().Sub(*c.WaitingSince))
	texts := "1 text"
	if c.WaitingCount != 1 {
		texts = strconv.Itoa(c.WaitingCount) + " texts"
	}
	p := domain.ThreadPost{Kind: domain.KindNote}
	switch {
	case c.State == store.StateClaimed && c.AssigneeID != "":
		p.Mention = c.AssigneeID
		p.Text = fmt.Sprintf("this conversation has waited %s for an answer (%s).", age, texts)
	case w.cfg.OnCallGroup != "":
		p.MentionGroup = w.cfg.OnCallGroup
		p.Text = fmt.Sprintf("this unassigned conversation has waited %s for an answer (%s). Claim it to take it.", age, texts)
	default:
		p.Text = fmt.Sprintf("This unassigned conversation has waited %s for an answer (%s) and nobody has claimed it.", age, texts)
	}
	return p
}

package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// A conversation waits for an answer from its first unanswered inbound
// text until the team answers it (an outbound message Telnyx accepted),
// resolves it, or it is closed (store.InsertInbound, store.RecordAnswer,
// Resolve). The header says so ("waiting 12 min, 3 new"); the channel is
// shown each spell once; a spell that lasts gets one nudge.

// WaitingConfig is how the channel is told what waits.
type WaitingConfig struct {
	// SignalOff turns off the channel-level signal of a conversation that
	// waits again (SMSBRIDGE_WAITING_SIGNAL=off): its first text of a
	// spell is then a plain thread reply like the others.
	SignalOff bool
	// NudgeAfter is how long a conversation waits before its thread
	// mentions its assignee or the on-call group, once a spell. Zero: off.
	NudgeAfter time.Duration
	// OnCallGroup is the Slack user group (S…) a nudge mentions when the
	// conversation is unassigned; empty: the nudge mentions nobody.
	OnCallGroup string
}

// headerDebounce is how often a header is rewritten for a new text's count
// while it waits: the start and the end of a wait show at once, the count
// at most once a minute per conversation.
const headerDebounce = time.Minute

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
// count within headerDebounce of the last is left to the sweep (at the end
// of the debounce); changed (a wait starting or ending) rewrites at once.
func (b *Bridge) showWait(ctx context.Context, conv *store.Conversation, changed bool) error {
	thread, ok := CurrentThread(conv)
	if !ok {
		return nil
	}
	now := b.st.Now()
	if !changed && conv.HeaderAt != nil && now.Sub(*conv.HeaderAt) < headerDebounce {
		return b.st.HeaderDue(ctx, conv.ID, conv.HeaderAt.Add(headerDebounce))
	}
	if err := b.poster.UpdateHeader(ctx, thread, b.HeaderFor(ctx, conv)); err != nil {
		// Due now: the sweep tries again.
		if derr := b.st.HeaderDue(ctx, conv.ID, now); derr != nil {
			b.log.Warn("header due", "conversation", conv.ID, "err", derr)
		}
		return fmt.Errorf("update header: %w", err)
	}
	return b.headerShown(ctx, conv, now)
}

// showAnswered rewrites the header of a conversation whose wait an answer
// ended. The answer is recorded: a failure here is logged, and the header
// is left due for the sweep.
func (b *Bridge) showAnswered(ctx context.Context, id uint64) {
	conv, err := b.st.Conversation(ctx, id)
	if err == nil {
		err = b.showWait(ctx, conv, true)
	}
	if err != nil {
		b.log.Warn("header after an answer", "conversation", id, "err", err)
	}
}

// headerShown records that conv's header was rewritten at now, and when
// its shown age next goes out of date (never, when nobody waits).
func (b *Bridge) headerShown(ctx context.Context, conv *store.Conversation, now time.Time) error {
	var next *time.Time
	if conv.WaitingSince != nil {
		at := nextAgeChange(*conv.WaitingSince, now)
		next = &at
	}
	conv.HeaderAt = &now
	return b.record(ctx, "header shown", func(ctx context.Context) error {
		return b.st.HeaderShown(ctx, conv.ID, now, next)
	})
}

// Waiter is the loop that keeps waits visible: it rewrites headers whose
// age or count is out of date (a few each tick, within chat.update's tier)
// and nudges conversations that waited too long. Several replicas may run
// it: each header rewrite and each nudge is claimed in the store first.
type Waiter struct {
	b   *Bridge
	cfg WaitingConfig
	log *slog.Logger
	// HeadersPerTick bounds the header rewrites of one tick (default 10:
	// at the default 15 s tick, 40 a minute, under chat.update's Tier 3).
	HeadersPerTick int
	// NudgesPerTick bounds the nudges one tick queues (default 50).
	NudgesPerTick int
}

// NewWaiter makes the loop; its settings are the bridge's (Config.Waiting).
func NewWaiter(b *Bridge, log *slog.Logger) *Waiter {
	return &Waiter{b: b, cfg: b.cfg.Waiting, log: log, HeadersPerTick: 10, NudgesPerTick: 50}
}

// Run ticks every interval until ctx ends.
func (w *Waiter) Run(ctx context.Context, interval time.Duration) {
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
// A claim puts a header off by a minute first, so a failed rewrite (or a
// replica that died) is tried again then.
func (w *Waiter) refreshHeaders(ctx context.Context) error {
	now := w.b.st.Now()
	due, err := w.b.st.DueHeaders(ctx, now, w.HeadersPerTick)
	if err != nil {
		return err
	}
	for i := range due {
		c := &due[i]
		ok, err := w.b.st.ClaimHeader(ctx, c.ID, now, now.Add(headerDebounce))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		thread, has := CurrentThread(c)
		if !has {
			continue
		}
		if err := w.b.poster.UpdateHeader(ctx, thread, w.b.HeaderFor(ctx, c)); err != nil {
			w.log.Warn("refresh header", "conversation", c.ID, "err", err)
			continue
		}
		if err := w.b.headerShown(ctx, c, now); err != nil {
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
	now := w.b.st.Now()
	before := now.Add(-w.cfg.NudgeAfter)
	due, err := w.b.st.DueNudges(ctx, before, w.NudgesPerTick)
	if err != nil {
		return err
	}
	for i := range due {
		c := &due[i]
		// Only our number's open hours count (issue 16): a text on Friday
		// evening is not overdue on Monday at 9:01. Open time is never more
		// than the wall time the query selected by, so it only filters.
		open, err := w.b.OpenDuration(ctx, E164(c.OurNumber), *c.WaitingSince, now)
		if err != nil {
			return err
		}
		if open < w.cfg.NudgeAfter {
			continue // asked again next tick
		}
		ok, err := w.b.st.ClaimNudge(ctx, c.ID, before)
		if err != nil {
			return err
		}
		if !ok || c.OptedOut || c.WaitingSince == nil {
			continue // another replica took it; nobody can answer an opt-out
		}
		key := fmt.Sprintf("nudge:%d:%d", c.ID, c.WaitingSince.UnixMicro())
		work := threadPostWork{Kind: c.Kind, Our: E164(c.OurNumber), Remotes: Remotes(c.RemoteKey), Post: w.nudgePost(c)}
		if err := w.b.queuePost(ctx, key, work); err != nil {
			return err
		}
	}
	return nil
}

// nudgePost is the thread message of a nudge: the assignee, or the on-call
// group when unassigned, mentioned; with neither, it says so plainly (a
// channel-wide @here for every late answer would teach people to ignore it).
func (w *Waiter) nudgePost(c *store.Conversation) ThreadPost {
	age := WaitAge(w.b.st.Now().Sub(*c.WaitingSince))
	texts := "1 text"
	if c.WaitingCount != 1 {
		texts = strconv.Itoa(c.WaitingCount) + " texts"
	}
	p := ThreadPost{Kind: KindNote}
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

// Package retention is the janitor that applies SMSBRIDGE_KEEP_PAYLOADS and
// SMSBRIDGE_KEEP_MESSAGES in small steps (the store side is
// store/work/retention.go). It imports only the store of smsbridge and must not
// import gin, slack-go, webhooks or the Slack packages.
package retention

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Config says how long history is kept. Zero keeps it forever.
type Config struct {
	// KeepPayloads: a finished event, its raw webhook with it, is deleted
	// after this (SMSBRIDGE_KEEP_PAYLOADS, default 7 days). Redeliveries
	// come within hours, so a week still recognises every one; the message
	// it stored stays, and its unique Telnyx id still refuses a copy.
	KeepPayloads time.Duration
	// KeepMessages: messages, and finished events if KeepPayloads is
	// longer, are deleted after this (SMSBRIDGE_KEEP_MESSAGES, default
	// forever). Conversations, opt-outs, scheduled messages, open outbox
	// entries and pending events are never deleted.
	KeepMessages time.Duration
	// Every is how often a pass runs; zero: DefaultEvery.
	Every time.Duration
	// Pause is the rest between two steps of a pass, so other writers get
	// the database in between; zero: DefaultPause.
	Pause time.Duration
}

// The defaults of the Config fields left zero.
const (
	DefaultEvery = 10 * time.Minute
	DefaultPause = 20 * time.Millisecond
)

// withDefaults fills the fields left zero.
func (c Config) withDefaults() Config {
	if c.Every <= 0 {
		c.Every = DefaultEvery
	}
	if c.Pause <= 0 {
		c.Pause = DefaultPause
	}
	return c
}

// Janitor applies the retention settings in small steps (store/work/retention.go).
type Janitor struct {
	st  *store.Store
	log *slog.Logger
	cfg Config
	// What it removed since start, for /metrics.
	events, messages atomic.Int64
	// resume is where each walk stopped last pass, so a pass does not walk
	// again through history already done (after a restart it does, once,
	// which also catches what was pending the first time).
	resume map[string]uint64
}

// New makes a janitor; Run starts it.
func New(st *store.Store, log *slog.Logger, cfg Config) *Janitor {
	return &Janitor{st: st, log: log, cfg: cfg.withDefaults(), resume: map[string]uint64{}}
}

// Run makes a pass at once and then every cfg.Every, until ctx ends.
func (j *Janitor) Run(ctx context.Context) {
	if j.cfg.KeepPayloads <= 0 && j.cfg.KeepMessages <= 0 {
		return
	}
	t := time.NewTicker(j.cfg.Every)
	defer t.Stop()
	for {
		if err := j.Pass(ctx); err != nil && ctx.Err() == nil {
			j.log.Error("retention pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass removes what the settings say may go, one small step at a time.
func (j *Janitor) Pass(ctx context.Context) error {
	now := j.st.Now()
	if j.cfg.KeepMessages > 0 {
		if err := j.walk(ctx, "messages", now.Add(-j.cfg.KeepMessages), j.st.DeleteMessages, &j.messages); err != nil {
			return err
		}
	}
	if keep := j.keepEvents(); keep > 0 {
		return j.walk(ctx, "events", now.Add(-keep), j.st.DeleteEvents, &j.events)
	}
	return nil
}

// keepEvents is how long a finished event is kept: the shorter of the two
// settings that are not forever (zero: forever).
func (j *Janitor) keepEvents() time.Duration {
	p, m := j.cfg.KeepPayloads, j.cfg.KeepMessages
	switch {
	case p <= 0:
		return m
	case m <= 0:
		return p
	}
	return min(p, m)
}

type retentionStep func(ctx context.Context, after uint64, cutoff time.Time) (store.RetentionStep, error)

// walk is only ever called from Pass, one at a time.
func (j *Janitor) walk(ctx context.Context, table string, cutoff time.Time, step retentionStep, count *atomic.Int64) error {
	after, err := j.st.RetentionStart(ctx, table)
	if err != nil {
		return err
	}
	after = max(after, j.resume[table])
	for {
		st, err := step(ctx, after, cutoff)
		if err != nil {
			return err
		}
		count.Add(st.N)
		after = st.Next
		j.resume[table] = after
		if !st.More {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(j.cfg.Pause):
		}
	}
}

// Deleted is what retention removed since start: deleted events and
// deleted messages.
func (j *Janitor) Deleted() map[string]int64 {
	return map[string]int64{"events": j.events.Load(), "messages": j.messages.Load()}
}

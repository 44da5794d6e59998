package inbound

import (
	"context"
	"log/slog"
	"time"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/lanes"
	"github.com/smsbridge/smsbridge/store"
)

// Config tunes the inbound pipeline. Zero fields take the defaults below.
type Config struct {
	// Silence is how long a conversation may be quiet before a new text
	// starts a fresh thread (linked to the old one). Zero: DefaultSilence.
	Silence time.Duration
	// MediaLimit caps an inbound MMS attachment's size. Zero:
	// DefaultMediaLimit (20 MiB).
	MediaLimit int64
	// AutoReplyEvery is how often one conversation may get the auto-reply
	// (SMSBRIDGE_AUTOREPLY_EVERY). Zero: DefaultAutoReplyEvery.
	AutoReplyEvery time.Duration
	// SlackRate is the posts per second a Slack channel takes (the
	// poster's rate). Inbound texts take their turn in the channel's
	// shared budget at this rate before they post, and those that wait
	// are coalesced (coalesce.go). Zero: they do not wait for a turn (the
	// poster paces alone), so nothing is coalesced.
	SlackRate float64
	// Waiting is how the channel is shown what waits (waiting.go).
	Waiting WaitingConfig
}

// The defaults of the Config fields left zero.
const (
	DefaultSilence        = 30 * 24 * time.Hour
	DefaultMediaLimit     = 20 << 20
	DefaultAutoReplyEvery = 12 * time.Hour
)

// withDefaults fills the fields left zero.
func (c Config) withDefaults() Config {
	if c.Silence <= 0 {
		c.Silence = DefaultSilence
	}
	if c.MediaLimit <= 0 {
		c.MediaLimit = DefaultMediaLimit
	}
	if c.AutoReplyEvery <= 0 {
		c.AutoReplyEvery = DefaultAutoReplyEvery
	}
	c.Waiting = c.Waiting.withDefaults()
	return c
}

// WaitingConfig is how the channel is told what waits. Zero fields take
// the defaults below (NudgeAfter zero is off).
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
	// Tick is how often the Waiter sweeps when Run is given no interval.
	// Zero: DefaultWaitingTick.
	Tick time.Duration
	// HeaderDebounce is how often a header is rewritten for a new text's
	// count while it waits: the start and the end of a wait show at once,
	// the count at most once per HeaderDebounce per conversation; a
	// claimed rewrite is put off as long. Zero: DefaultHeaderDebounce.
	HeaderDebounce time.Duration
	// HeadersPerTick bounds the header rewrites of one sweep. Zero:
	// DefaultHeadersPerTick (at the default tick, 40 a minute, under
	// chat.update's Tier 3).
	HeadersPerTick int
	// NudgesPerTick bounds the nudges one sweep queues. Zero:
	// DefaultNudgesPerTick.
	NudgesPerTick int
}

// The defaults of the WaitingConfig fields left zero.
const (
	DefaultWaitingTick    = 15 * time.Second
	DefaultHeaderDebounce = time.Minute
	DefaultHeadersPerTick = 10
	DefaultNudgesPerTick  = 50
)

// withDefaults fills the fields left zero.
func (c WaitingConfig) withDefaults() WaitingConfig {
	if c.Tick <= 0 {
		c.Tick = DefaultWaitingTick
	}
	if c.HeaderDebounce <= 0 {
		c.HeaderDebounce = DefaultHeaderDebounce
	}
	if c.HeadersPerTick <= 0 {
		c.HeadersPerTick = DefaultHeadersPerTick
	}
	if c.NudgesPerTick <= 0 {
		c.NudgesPerTick = DefaultNudgesPerTick
	}
	return c
}

// Domain is what the inbound pipeline asks of the rest of the domain:
// where a number's conversations go, the opt-out policy, business hours,
// the inbox. bridge.Bridge implements it.
type Domain interface {
	// ChannelFor is the inbox channel of our number (its route).
	ChannelFor(ctx context.Context, our domain.E164) (string, error)
	// MayText, RecordOptOut and RecordOptIn: the one opt-out policy.
	MayText(ctx context.Context, from domain.E164, profile string, to []domain.E164) ([]domain.Blocked, error)
	RecordOptOut(ctx context.Context, our, remote domain.E164, profile, source, keyword, text string) (bool, error)
	RecordOptIn(ctx context.Context, our, remote domain.E164, profile, keyword, text string) (bool, error)
	// HoursOf and OpenDuration: our number's business hours.
	HoursOf(ctx context.Context, our domain.E164) (*clock.Hours, error)
	OpenDuration(ctx context.Context, our domain.E164, from, to time.Time) (time.Duration, error)
	// InboxChanged tells the App Home whose inbox changed.
	InboxChanged(ctx context.Context, users ...string)
	// Record retries a write that follows a call that succeeded.
	Record(ctx context.Context, what string, fn func(ctx context.Context) error) error
}

// Deps is what the inbound pipeline works with: the rest of the domain,
// the store, the chat poster, the media fetcher, the engine its handlers
// run on, the log.
type Deps struct {
	Domain Domain
	Store  *store.Store
	Poster domain.Poster
	Media  domain.MediaFetcher
	Engine *lanes.Engine
	Log    *slog.Logger
}

package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/consent"
	"github.com/smsbridge/smsbridge/bridge/inbound"
	"github.com/smsbridge/smsbridge/bridge/replies"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Routes picks the inbox channel for one of our numbers: a route stored with
// /sms route wins, then SLACK_ROUTES, then the default SLACK_CHANNEL.
type Routes struct {
	Default  string
	ByNumber map[E164]string
}

// ParseRoutes reads SLACK_ROUTES: "+18445550001=C123,+18445550002=C456".
func ParseRoutes(s string) (map[E164]string, error) {
	out := map[E164]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		num, ch, ok := strings.Cut(part, "=")
		num, ch = strings.TrimSpace(num), strings.TrimSpace(ch)
		n, err := ParseE164(num)
		if !ok || err != nil || ch == "" {
			return nil, fmt.Errorf("SLACK_ROUTES entry %q: want +E164=CHANNEL_ID", part)
		}
		out[n] = ch
	}
	return out, nil
}

// Config is what the bridge needs besides its collaborators.
type Config struct {
	Routes Routes
	// Silence is how long a conversation may be quiet before a new text
	// starts a fresh thread (linked to the old one). Zero: DefaultSilence.
	Silence time.Duration
	// MediaLimit caps an inbound MMS attachment's size. Zero:
	// DefaultMediaLimit (20 MiB).
	MediaLimit int64
	// Quiet is the recipients' quiet hours (SMSBRIDGE_QUIET_HOURS); the
	// zero value is DefaultQuietHours.
	Quiet QuietHours
	// AutoReplyEvery is how often one conversation may get the auto-reply
	// (SMSBRIDGE_AUTOREPLY_EVERY). Zero: DefaultAutoReplyEvery.
	AutoReplyEvery time.Duration
	// Waiting is how the channel is shown what waits (inbound/waiting.go).
	Waiting WaitingConfig
	// SlackRate is the posts per second a Slack channel takes (the
	// poster's rate). Inbound texts take their turn in the channel's
	// shared budget at this rate before they post, and those that wait
	// are coalesced (inbound/coalesce.go). Zero: they do not wait for a
	// turn (the poster paces alone), so nothing is coalesced.
	SlackRate float64
}

// withDefaults fills the fields left zero: Quiet here; the inbound
// pipeline's (Silence, MediaLimit, AutoReplyEvery, Waiting) are filled by
// inbound.Config's withDefaults, whose defaults bridge names in inbound.go.
func (c Config) withDefaults() Config {
	if !c.Quiet.IsSet() {
		c.Quiet = DefaultQuietHours
	}
	return c
}

// inboundConfig is the inbound pipeline's part of c.
func (c Config) inboundConfig() inbound.Config {
	return inbound.Config{Silence: c.Silence, MediaLimit: c.MediaLimit, AutoReplyEvery: c.AutoReplyEvery,
		SlackRate: c.SlackRate, Waiting: c.Waiting}
}

// Bridge is the domain: it turns stored events into Slack posts and SMS.
// Its parts (the inbound pipeline, the opt-out policy, the saved replies)
// are packages of their own that it wires in New and answers for.
type Bridge struct {
	st      *store.Store
	engine  *Engine
	poster  Poster
	log     *slog.Logger
	cfg     Config
	inbox   inboxHooks // see inbox.go
	in      *inbound.Inbound
	consent *consent.Policy
	replies *replies.Saved
}

// New wires a bridge and registers its handlers on engine.
func New(st *store.Store, engine *Engine, poster Poster, media MediaFetcher, log *slog.Logger, cfg Config) *Bridge {
	cfg = cfg.withDefaults()
	b := &Bridge{st: st, engine: engine, poster: poster, log: log, cfg: cfg, replies: replies.New(st)}
	b.consent = consent.New(consent.Deps{Domain: b, Store: st, Poster: poster, Log: log})
	b.in = inbound.New(inbound.Deps{Domain: b, Store: st, Poster: poster, Media: media, Engine: engine, Log: log}, cfg.inboundConfig())
	return b
}

// Engine is the bridge's engine, for registering more handlers.
func (b *Bridge) Engine() *Engine { return b.engine }

// IngestTelnyx commits a verified, parsed Telnyx webhook and wakes a worker.
// It reports whether the event was new; a redelivery changes nothing.
func (b *Bridge) IngestTelnyx(ctx context.Context, ev *telnyxhook.Event, raw []byte) (bool, error) {
	lane := ""
	if b.engine.Wants(SourceTelnyx, ev.Type) {
		lane = inbound.TelnyxLane(ev)
	}
	row := &store.Event{Source: SourceTelnyx, ExternalID: ev.DedupKey(), Type: ev.Type, Lane: lane, Payload: raw}
	inserted, err := b.st.InsertEvent(ctx, row)
	if err != nil {
		return false, err
	}
	if inserted && lane != "" {
		b.engine.Notify()
	}
	return inserted, nil
}

// ChannelFor is the inbox channel of our number.
func (b *Bridge) ChannelFor(ctx context.Context, our E164) (string, error) {
	r, err := b.st.RouteFor(ctx, string(our))
	switch {
	case err == nil:
		return r.Channel, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	if ch, ok := b.cfg.Routes.ByNumber[our]; ok {
		return ch, nil
	}
	return b.cfg.Routes.Default, nil
}

// effectiveRoutes is where each routed number's conversations go: a route
// stored with /sms route wins over SLACK_ROUTES.
func (b *Bridge) effectiveRoutes(ctx context.Context) (map[E164]string, error) {
	stored, err := b.st.Routes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[E164]string{}
	for n, ch := range b.cfg.Routes.ByNumber {
		out[n] = ch
	}
	for _, r := range stored {
		out[E164(r.OurNumber)] = r.Channel
	}
	return out, nil
}

// SetRoute sends new conversations with our number to channel; by is the
// Slack user who asked.
func (b *Bridge) SetRoute(ctx context.Context, our E164, channel, by string) error {
	return b.st.SetRoute(ctx, &store.Route{OurNumber: string(our), Channel: channel, SetBy: by})
}

// ConversationWith finds or creates the SMS conversation of our number
// with remotes (one for 1:1, several for group MMS).
func (b *Bridge) ConversationWith(ctx context.Context, our E164, remotes []E164) (*store.Conversation, error) {
	return b.ConversationOf(ctx, store.KindSMS, our, remotes)
}

// ConversationOf finds or creates the conversation of kind of our number
// with remotes.
func (b *Bridge) ConversationOf(ctx context.Context, kind string, our E164, remotes []E164) (*store.Conversation, error) {
	conv, _, err := b.st.FindOrCreateConversation(ctx, kind, string(our), RemoteKey(remotes))
	return conv, err
}

// PostNote queues p into the thread of the conversation of our number with
// remotes, opening the thread if needed, and returns the thread's channel.
// key makes the post idempotent: queuing the same key again posts nothing.
func (b *Bridge) PostNote(ctx context.Context, key string, our E164, remotes []E164, p ThreadPost) (channel string, err error) {
	conv, err := b.ConversationWith(ctx, our, remotes)
	if err != nil {
		return "", err
	}
	if err := b.in.QueuePost(ctx, noteKey(key), threadPostWork{Our: our, Remotes: remotes, Post: p}); err != nil {
		return "", err
	}
	return b.channelOf(ctx, conv)
}

// channelOf is where the conversation's thread is, or will be opened.
func (b *Bridge) channelOf(ctx context.Context, conv *store.Conversation) (string, error) {
	if conv.Channel != "" {
		return conv.Channel, nil
	}
	return b.ChannelFor(ctx, E164(conv.OurNumber))
}

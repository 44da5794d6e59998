package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
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
	// Waiting is how the channel is shown what waits (waiting.go).
	Waiting WaitingConfig
	// SlackRate is the posts per second a Slack channel takes (the
	// poster's rate). Inbound texts take their turn in the channel's
	// shared budget at this rate before they post, and those that wait
	// are coalesced (coalesce.go). Zero: they do not wait for a turn (the
	// poster paces alone), so nothing is coalesced.
	SlackRate float64
}

// The defaults of the Config fields left zero (Quiet: DefaultQuietHours).
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
	if !c.Quiet.IsSet() {
		c.Quiet = DefaultQuietHours
	}
	if c.AutoReplyEvery <= 0 {
		c.AutoReplyEvery = DefaultAutoReplyEvery
	}
	return c
}

// Bridge is the domain: it turns stored events into Slack posts and SMS.
type Bridge struct {
	st     *store.Store
	engine *Engine
	poster Poster
	media  MediaFetcher
	log    *slog.Logger
	cfg    Config
	inbox  inboxHooks // see inbox.go

	optOutHooks []OptOutHook // see optout.go
}

// New wires a bridge and registers its handlers on engine.
func New(st *store.Store, engine *Engine, poster Poster, media MediaFetcher, log *slog.Logger, cfg Config) *Bridge {
	cfg = cfg.withDefaults()
	b := &Bridge{st: st, engine: engine, poster: poster, media: media, log: log, cfg: cfg}
	engine.Handle(SourceTelnyx, telnyxhook.EventMessageReceived, b.handleReceived)
	engine.Handle(SourceTelnyx, telnyxhook.EventLinkClicked, b.handleLinkClicked)
	engine.Handle(SourceBridge, EventThreadPost, b.handleThreadPost) // threadpost.go
	return b
}

// Engine is the bridge's engine, for registering more handlers.
func (b *Bridge) Engine() *Engine { return b.engine }

// IngestTelnyx commits a verified, parsed Telnyx webhook and wakes a worker.
// It reports whether the event was new; a redelivery changes nothing.
func (b *Bridge) IngestTelnyx(ctx context.Context, ev *telnyxhook.Event, raw []byte) (bool, error) {
	lane := ""
	if b.engine.Wants(SourceTelnyx, ev.Type) {
		lane = telnyxLane(ev)
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

// messageKind is the conversation kind a Telnyx message belongs to. The
// spec's inbound payload names SMS and MMS; WhatsApp messages carry type
// "WHATSAPP" (the spec's WhatsappResponse), in either direction.
func messageKind(p *telnyx.Message) string {
	if strings.EqualFold(p.Type, "WHATSAPP") {
		return store.KindWhatsApp
	}
	return store.KindSMS
}

// parties splits a message's numbers into ours and the remote set. Inbound,
// ours is the first to[]; outbound, it is from. Everyone else in from, to[]
// and cc[] is remote: a group MMS is one conversation for the whole set.
func parties(p *telnyx.Message) (our E164, remotes []E164) {
	var all []string
	if p.Direction == "outbound" {
		our = E164(p.From.PhoneNumber)
	} else {
		if len(p.To) > 0 {
			our = E164(p.To[0].PhoneNumber)
		}
		all = append(all, p.From.PhoneNumber)
	}
	for _, t := range p.To {
		all = append(all, t.PhoneNumber)
	}
	for _, c := range p.Cc {
		all = append(all, c.PhoneNumber)
	}
	for _, n := range all {
		if n != "" && E164(n) != our && !slices.Contains(remotes, E164(n)) {
			remotes = append(remotes, E164(n))
		}
	}
	slices.Sort(remotes)
	return our, remotes
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

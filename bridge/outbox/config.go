package outbox

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/lanes"
	"github.com/smsbridge/smsbridge/bridge/pace"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
)

// Config tunes the outbound pipeline. Zero fields take the defaults below.
type Config struct {
	// NotePrefix marks internal notes that are never texted; "":
	// DefaultNotePrefix.
	NotePrefix string
	// Signature appends "- <name>" of the teammate to each SMS.
	Signature bool
	// PublicBaseURL is where Telnyx fetches outbound MMS media
	// (PUBLIC_BASE_URL); without it files cannot be sent.
	PublicBaseURL string
	// MediaTTL is how long a media URL serves its file; zero:
	// DefaultMediaTTL.
	MediaTTL time.Duration
	// MediaLimit caps the total size of a reply's files; zero:
	// DefaultMediaLimit, Telnyx's limit for one MMS.
	MediaLimit int64
	// SendTimeout bounds one call to Telnyx; zero: DefaultSendTimeout.
	SendTimeout time.Duration
	// GiveUpAfter is how long a reply Telnyx cannot take (rate limited,
	// unreachable) keeps being retried before the thread asks a person;
	// zero: DefaultGiveUpAfter.
	GiveUpAfter time.Duration
	// Segments counts a text's SMS parts and names its encoding; nil:
	// phone.Segments.
	Segments func(text string) (parts int, encoding string)
	// Pacer keeps each sender within its Telnyx throughput; nil sends
	// unpaced.
	Pacer *pace.Pacer
	// ThreadWait is how long a reply in a thread not stored yet waits
	// for it (earlyreply.go); zero: DefaultThreadWait.
	ThreadWait time.Duration
}

// The defaults of the Config fields left zero.
const (
	DefaultNotePrefix  = "//"
	DefaultMediaTTL    = 24 * time.Hour
	DefaultMediaLimit  = 1 << 20
	DefaultSendTimeout = 30 * time.Second
	DefaultGiveUpAfter = time.Hour
	DefaultThreadWait  = 2 * time.Second
)

// withDefaults fills the fields left zero.
func (c Config) withDefaults() Config {
	if c.NotePrefix == "" {
		c.NotePrefix = DefaultNotePrefix
	}
	if c.MediaTTL <= 0 {
		c.MediaTTL = DefaultMediaTTL
	}
	if c.MediaLimit <= 0 {
		c.MediaLimit = DefaultMediaLimit
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = DefaultSendTimeout
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = DefaultGiveUpAfter
	}
	if c.ThreadWait <= 0 {
		c.ThreadWait = DefaultThreadWait
	}
	if c.Segments == nil {
		c.Segments = sender.DefaultSegments
	}
	c.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/")
	return c
}

// Domain is what the outbox asks of the rest of the domain: the opt-out
// policy, conversations and their threads, the quiet window, the inbox.
// bridge.Bridge implements it.
type Domain interface {
	MayText(ctx context.Context, from domain.E164, profile string, to []domain.E164) ([]domain.Blocked, error)
	RecordOptOut(ctx context.Context, our, remote domain.E164, profile, source, keyword, text string) (bool, error)
	RecordTelnyxOptOut(ctx context.Context, conv *store.Conversation) error
	QuietCheck(to []domain.E164, t time.Time) *clock.Quiet
	ConversationOf(ctx context.Context, kind string, our domain.E164, remotes []domain.E164) (*store.Conversation, error)
	ConversationWith(ctx context.Context, our domain.E164, remotes []domain.E164) (*store.Conversation, error)
	// EnsureThread, ChannelOf and QueuePost: the conversation's thread,
	// the channel it is in, and a post queued into it in its lane.
	EnsureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error)
	ChannelOf(ctx context.Context, conv *store.Conversation) (string, error)
	QueuePost(ctx context.Context, key string, w domain.ThreadPostWork) error
	// Record retries a write that follows a call that succeeded.
	Record(ctx context.Context, what string, fn func(ctx context.Context) error) error
	// InboxChanged and ShowAnswered: what an answer changes in the inbox
	// and in the thread's header.
	InboxChanged(ctx context.Context, users ...string)
	ShowAnswered(ctx context.Context, id uint64)
}

// Deps is what the outbox works with: the rest of the domain, the store,
// the chat poster, the engine its handlers run on, the log.
type Deps struct {
	Domain Domain
	Store  *store.Store
	Poster domain.Poster
	Engine *lanes.Engine
	Log    *slog.Logger
}

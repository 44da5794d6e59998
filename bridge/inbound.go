package bridge

import (
	"context"
	"log/slog"

	"github.com/smsbridge/smsbridge/bridge/inbound"
	"github.com/smsbridge/smsbridge/store"
)

// The inbound pipeline is package inbound's: received texts, coalescing,
// keywords, the auto-reply, a conversation's thread and its header, what
// waits. These names keep its importers (the Slack side, cmd/smsbridge)
// unchanged.
type (
	WaitingConfig = inbound.WaitingConfig
	Waiter        = inbound.Waiter
	KeywordKind   = inbound.KeywordKind
)

const (
	KeywordNone   = inbound.KeywordNone
	KeywordOptOut = inbound.KeywordOptOut
	KeywordOptIn  = inbound.KeywordOptIn
	KeywordHelp   = inbound.KeywordHelp

	// The defaults of Config's inbound fields (Quiet's is DefaultQuietHours).
	DefaultSilence        = inbound.DefaultSilence
	DefaultMediaLimit     = inbound.DefaultMediaLimit
	DefaultAutoReplyEvery = inbound.DefaultAutoReplyEvery
)

var (
	Keyword           = inbound.Keyword
	SlackPostBudget   = inbound.SlackPostBudget
	SlackPostedBudget = inbound.SlackPostedBudget
	SlackMethodBudget = inbound.SlackMethodBudget
	WithChannelTurn   = inbound.WithChannelTurn
	TakeChannelTurn   = inbound.TakeChannelTurn
)

// NewWaiter makes the loop that keeps waits visible; its settings are the
// bridge's (Config.Waiting).
func NewWaiter(b *Bridge, log *slog.Logger) *Waiter { return inbound.NewWaiter(b.in, log) }

// EnsureThread gives conv a Slack thread (posting its header) unless it has
// a current one, and returns the updated conversation. Call it only from
// the conversation's lane (a Handler), so two callers cannot both post a
// header; outside a lane, queue a post with PostNote instead.
func (b *Bridge) EnsureThread(ctx context.Context, conv *store.Conversation) (*store.Conversation, error) {
	return b.in.EnsureThread(ctx, conv)
}

// HeaderFor is what conv's header shows: HeaderOf with the contact names
// of the remote numbers and the texts that rode in it.
func (b *Bridge) HeaderFor(ctx context.Context, c *store.Conversation) Header {
	return b.in.HeaderFor(ctx, c)
}

// QueuePost queues w into its conversation's thread, in its lane, once
// per key.
func (b *Bridge) QueuePost(ctx context.Context, key string, w threadPostWork) error {
	return b.in.QueuePost(ctx, key, w)
}

// ShowAnswered rewrites the header of conversation id: it was answered.
func (b *Bridge) ShowAnswered(ctx context.Context, id uint64) { b.in.ShowAnswered(ctx, id) }

var _ inbound.Domain = (*Bridge)(nil)

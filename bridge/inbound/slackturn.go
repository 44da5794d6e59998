package inbound

import (
	"context"
	"sync/atomic"
)

// Slack's budgets (invariants 6 and 12). Slack takes about one post a
// second per channel and promises no burst; chat.update and reactions have
// their own tiers, per method for the whole workspace. Each is a token
// bucket in the store (store.Store implements Budgets), so every replica
// draws from the same one (Budgets, as the Pacer uses), and a post retried
// after a 429 draws from it again like any other. The keys and the turn
// live here because the inbound pipeline is who takes a channel's turn
// before it posts (coalesce.go); the poster (slackpost) spends it, and
// reaches these names through bridge's aliases.

// SlackPostBudget is the budget key of posts into channel: chat.postMessage
// and files shared into it.
func SlackPostBudget(channel string) string { return "slack:post:" + channel }

// SlackPostedBudget is the budget key that spaces the posts into channel
// as they leave, by any replica: a post late to the turn SlackPostBudget
// gave it must not crowd the next one, which may be on time
// (slackpost's spaceFromLast).
func SlackPostedBudget(channel string) string { return "slack:posted:" + channel }

// SlackMethodBudget is the budget key of a Slack Web API method limited by
// its tier for the whole workspace (chat.update, reactions.add, …).
func SlackMethodBudget(method string) string { return "slack:method:" + method }

// channelTurn is a post's turn in a channel's budget that the bridge has
// already taken (and waited for, in the store): the poster spends it on
// the first post into that channel instead of taking another.
type channelTurn struct {
	channel string
	used    atomic.Bool
}

type channelTurnKey struct{}

// WithChannelTurn says that the caller holds one post's turn in channel's
// budget: the next post into channel made with ctx uses it.
func WithChannelTurn(ctx context.Context, channel string) context.Context {
	return context.WithValue(ctx, channelTurnKey{}, &channelTurn{channel: channel})
}

// TakeChannelTurn reports whether ctx holds an unused turn in channel's
// budget, and uses it up. The poster calls it before taking a token.
func TakeChannelTurn(ctx context.Context, channel string) bool {
	t, ok := ctx.Value(channelTurnKey{}).(*channelTurn)
	return ok && t.channel == channel && t.used.CompareAndSwap(false, true)
}

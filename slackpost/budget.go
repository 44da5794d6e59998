package slackpost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
)

// Slack's tiers for the methods the poster calls besides posting, per
// minute for the whole workspace, with the short burst Slack tolerates on
// a tier (https://api.slack.com/apis/rate-limits): chat.update and
// reactions.add are Tier 3, reactions.remove Tier 2. Posts into a channel
// have their own budget (WithChannelRate) with no burst.
var methodTiers = map[string]struct {
	perMinute float64
	burst     int
}{
	"chat.update":      {50, 5},
	"reactions.add":    {50, 5},
	"reactions.remove": {20, 5},
}

// Budgets are the shared budgets the poster draws from (the store):
// bridge.Budgets, whose turns are booked, and TakeToken, which books
// nothing (spaceFromLast).
type Budgets interface {
	bridge.Budgets
	TakeToken(ctx context.Context, key string, perSecond float64, burst int) (time.Duration, error)
}

// WithSharedBudgets makes the poster take every post's turn, and every
// tiered call's, from budgets kept in the store (bridge.Budgets), so that
// several replicas together hold Slack's limits, and a 429 pauses the
// budget for all of them. Without it the poster keeps a limiter in memory.
func WithSharedBudgets(b Budgets) PosterOption {
	return func(p *Poster) { p.budgets = b }
}

// waitShared waits for a token of key's shared budget: it books the next
// free slot and waits for it in the call when that is within
// MaxRetryAfter. A longer wait is left to the lane (RetryAt), so a worker
// does not block on a queue that long.
//
// The call leaves at its slot: the booking is collected (ReserveToken
// again, which deletes it) only after the call, by the returned collect,
// so no database round trip, which can take a while when the store is
// busy, comes between the slot and the request. A late request followed
// by one on time is what Slack counts as too fast.
func (p *Poster) waitShared(ctx context.Context, key string, perSecond float64, burst int) (collect func(), err error) {
	holder := "call:" + randomID()
	wait, err := p.budgets.ReserveToken(ctx, key, holder, perSecond, burst)
	if err != nil {
		return nil, fmt.Errorf("slack budget: %w", err)
	}
	if wait <= 0 {
		return func() {}, nil // taken now: nothing booked
	}
	if wait > p.policy.MaxRetryAfter {
		return nil, bridge.RetryAt(fmt.Errorf("slack: next turn in %s's budget is %s away", key, wait.Round(0)), p.now().Add(wait))
	}
	if err := p.sleep(ctx, wait); err != nil {
		return nil, err
	}
	return func() {
		if _, err := p.budgets.ReserveToken(context.WithoutCancel(ctx), key, holder, perSecond, burst); err != nil {
			p.log.WarnContext(ctx, "collect slack budget slot (it is swept later)", "budget", key, "err", err)
		}
	}, nil
}

// retryMethod is retry for a tiered call (chat.update, reactions): each
// attempt waits for the method's shared budget, and a 429 pauses it.
func (p *Poster) retryMethod(ctx context.Context, op, method string, send sender) error {
	tier, ok := methodTiers[method]
	if p.budgets == nil || !ok {
		return p.retry(ctx, op, send)
	}
	key := bridge.SlackMethodBudget(method)
	return p.retry(ctx, op, func(ctx context.Context) error {
		collect, err := p.waitShared(ctx, key, tier.perMinute/60, tier.burst)
		if err != nil {
			return err
		}
		err = send(ctx)
		collect()
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			if perr := p.budgets.PauseBudget(ctx, key, p.now().Add(rl.RetryAfter)); perr != nil {
				p.log.WarnContext(ctx, "pause slack budget", "budget", key, "err", perr)
			}
		}
		return err
	})
}

// channelTurn waits for one post's turn in channel: a turn the bridge
// already took (bridge.WithChannelTurn), or the shared budget's, or the
// limiter's in memory. collect is to be called after the post.
func (p *Poster) channelTurn(ctx context.Context, channel string) (collect func(), err error) {
	switch {
	case bridge.TakeChannelTurn(ctx, channel):
		return func() {}, nil // the bridge took this post's turn and waited for it
	case p.budgets != nil:
		return p.waitShared(ctx, bridge.SlackPostBudget(channel), float64(p.rateLimit), 1)
	}
	if err := p.waitChannel(ctx, channel); err != nil {
		return nil, err
	}
	return func() {}, nil
}

// spaceFromLast waits, with shared budgets, until the last post into
// channel by any replica left an interval ago. Turns are booked an
// interval apart, but a post can come late to its turn (its lane woke
// late, or the bridge gathered texts after taking it) and the next one on
// time: Slack counts the gap between arrivals. So each post also takes a
// token of SlackPostedBudget, which no one books ahead, right before it
// leaves; a post on time finds it free.
func (p *Poster) spaceFromLast(ctx context.Context, channel string) error {
	if p.budgets == nil {
		return nil
	}
	for {
		wait, err := p.budgets.TakeToken(ctx, bridge.SlackPostedBudget(channel), float64(p.rateLimit), 1)
		if err != nil {
			return fmt.Errorf("slack budget: %w", err)
		}
		if wait <= 0 {
			return nil
		}
		if err := p.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// channelLimit is one channel's posting budget, and the time until which
// Slack told us (a 429) to post nothing there.
type channelLimit struct {
	lim         *rate.Limiter
	pausedUntil time.Time
}

func (p *Poster) channelLimit(channel string) *channelLimit {
	p.mu.Lock()
	defer p.mu.Unlock()
	cl, ok := p.limiters[channel]
	if !ok {
		cl = &channelLimit{lim: rate.NewLimiter(p.rateLimit, p.rateBurst)}
		p.limiters[channel] = cl
	}
	return cl
}

// waitChannel blocks until channel may take another message: past any pause
// a 429 put on it, then within its rate. A pause longer than a call waits
// is not waited out here: it returns an error carrying bridge.RetryAt, so
// the lane waits in the store instead of a worker blocking.
func (p *Poster) waitChannel(ctx context.Context, channel string) error {
	cl := p.channelLimit(channel)
	p.mu.Lock()
	until := cl.pausedUntil
	p.mu.Unlock()

	now := p.now()
	from := now
	if pause := until.Sub(now); pause > 0 {
		if pause > p.policy.MaxRetryAfter {
			return bridge.RetryAt(fmt.Errorf("slack: rate limited in %s for %s more", channel, pause.Round(time.Second)), until)
		}
		// Take the token as of the pause's end, so the posts that waited
		// out the pause still leave one by one.
		from = until
	}
	r := cl.lim.ReserveN(from, 1)
	if !r.OK() {
		return fmt.Errorf("slack: rate limiter for %s refuses every post", channel)
	}
	if err := p.sleep(ctx, r.DelayFrom(now)); err != nil {
		r.CancelAt(p.now())
		return err
	}
	return nil
}

// pauseChannel holds every post to channel until until (a 429's
// Retry-After), whichever call it comes from.
func (p *Poster) pauseChannel(ctx context.Context, channel string, until time.Time) {
	if p.budgets != nil {
		if err := p.budgets.PauseBudget(ctx, bridge.SlackPostBudget(channel), until); err != nil {
			p.log.WarnContext(ctx, "pause slack channel budget", "channel", channel, "err", err)
		}
		return
	}
	cl := p.channelLimit(channel)
	p.mu.Lock()
	if until.After(cl.pausedUntil) {
		cl.pausedUntil = until
	}
	p.mu.Unlock()
}

// retryChannel is retry for a call that posts into channel: every attempt,
// the first and each retry, waits for the channel's budget, and a 429
// pauses the channel for every caller until its Retry-After.
func (p *Poster) retryChannel(ctx context.Context, op, channel string, send sender) error {
	return p.retry(ctx, op, func(ctx context.Context) error {
		collect, err := p.channelTurn(ctx, channel)
		if err != nil {
			return err
		}
		if err := p.spaceFromLast(ctx, channel); err != nil {
			collect()
			return err
		}
		err = send(ctx)
		collect()
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			p.pauseChannel(ctx, channel, p.now().Add(rl.RetryAfter))
		}
		return err
	})
}

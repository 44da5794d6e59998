package bridge

import (
	"context"
	"iter"
	"slices"
	"time"

	"github.com/smsbridge/smsbridge/telnyxacct"
)

// Our numbers: smsbridge learns them from Telnyx (and from every webhook
// that names one), so a team with only SLACK_CHANNEL set can send from the
// default inbox without routing anything first.

// NumberLister is the part of the Telnyx client that lists our numbers.
type NumberLister interface {
	ListNumberSettings(ctx context.Context, f telnyxacct.NumberFilter) iter.Seq2[telnyxacct.NumberSettings, error]
}

var _ NumberLister = (*telnyxacct.Client)(nil)

// LearnNumbers asks Telnyx for the account's messaging numbers and
// remembers each with its messaging profile. It returns how many it saw.
func (b *Bridge) LearnNumbers(ctx context.Context, l NumberLister) (int, error) {
	n := 0
	for num, err := range l.ListNumberSettings(ctx, telnyxacct.NumberFilter{}) {
		if err != nil {
			return n, err
		}
		if num.PhoneNumber == "" {
			continue
		}
		if err := b.st.RememberNumber(ctx, num.PhoneNumber, num.MessagingProfileID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SyncNumbers learns our numbers now and then every interval until ctx
// ends; a failure is logged and tried again at the next round.
func (b *Bridge) SyncNumbers(ctx context.Context, l NumberLister, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := b.LearnNumbers(ctx, l); err != nil && ctx.Err() == nil {
			b.log.Warn("learning our numbers from Telnyx failed; trying again later", "err", err)
		} else if err == nil {
			b.log.Debug("learned our numbers from Telnyx", "numbers", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendersFor lists, sorted, the numbers a Slack channel sends from: those
// routed to it, and, for the default inbox, every number of ours not
// routed elsewhere (their conversations land there too).
func (b *Bridge) SendersFor(ctx context.Context, channel string) ([]E164, error) {
	routes, err := b.effectiveRoutes(ctx)
	if err != nil {
		return nil, err
	}
	var out []E164
	for n, ch := range routes {
		if ch == channel {
			out = append(out, n)
		}
	}
	if channel != "" && channel == b.cfg.Routes.Default {
		known, err := b.st.OurNumbers(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range known {
			if _, routed := routes[E164(k)]; !routed && !slices.Contains(out, E164(k)) {
				out = append(out, E164(k))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// OurNumbers lists every number of ours smsbridge knows, routed or not.
func (b *Bridge) OurNumbers(ctx context.Context) ([]E164, error) {
	routes, err := b.effectiveRoutes(ctx)
	if err != nil {
		return nil, err
	}
	known, err := b.st.OurNumbers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]E164, 0, len(routes)+len(known))
	for n := range routes {
		out = append(out, n)
	}
	for _, k := range known {
		if !slices.Contains(out, E164(k)) {
			out = append(out, E164(k))
		}
	}
	slices.Sort(out)
	return out, nil
}

package bridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Slack took a post but the database would not store its ts (disk full, a
// lost connection): retrying the event would post it again, once per
// retry. Instead the worker keeps what Slack answered and retries only the
// write, with capped backoff, before anything else happens in the lane.
// Only a process crash between the post and the write can repeat a post.
var (
	recordFirstWait = 50 * time.Millisecond
	recordMaxWait   = 5 * time.Second
)

// record runs fn, the write of what an outside call that succeeded
// returned (what names it for the log), until it succeeds, fails in a way
// retrying cannot fix (the row is gone, a permanent error), or ctx ends.
// It returns fn's last error then.
func (b *Bridge) record(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	wait := recordFirstWait
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			if attempt > 1 {
				b.log.Info("recorded after retrying", "what", what, "attempts", attempt)
			}
			return nil
		}
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrPermanent) {
			return fmt.Errorf("record %s: %w", what, err)
		}
		b.log.Warn("could not record what Slack already accepted; retrying the write, not the post", "what", what, "attempt", attempt, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("record %s: %w (gave up: %w)", what, err, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, recordMaxWait)
	}
}

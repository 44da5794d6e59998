package domain

import (
	"context"
	"time"
)

// Await asks find, with pauses growing from 5 ms to 200 ms, until it has
// found what it looks for, fails, or wait has passed (found false). It is
// for state another replica or goroutine is about to store: a header's ts
// right after Slack showed the header.
func Await[T any](ctx context.Context, wait time.Duration, find func(context.Context) (T, bool, error)) (T, bool, error) {
	until, pause := time.Now().Add(wait), 5*time.Millisecond
	var zero T
	for {
		t := time.NewTimer(min(pause, max(time.Until(until), 0)))
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, false, ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, 200*time.Millisecond)
		v, found, err := find(ctx)
		if found || err != nil || !time.Now().Before(until) {
			return v, found, err
		}
	}
}

package domain

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAwaitAsksUntilFoundAndGivesUpAfterItsWait(t *testing.T) {
	ctx := context.Background()
	asked := 0
	v, found, err := Await(ctx, time.Minute, func(context.Context) (int, bool, error) {
		asked++
		return asked, asked == 3, nil
	})
	if v != 3 || !found || err != nil {
		t.Fatalf("Await = %d, %v, %v; want the third answer, found", v, found, err)
	}
	start := time.Now()
	_, found, err = Await(ctx, 30*time.Millisecond, func(context.Context) (int, bool, error) { return 0, false, nil })
	if found || err != nil || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("never found: %v, %v after %v; want not found after the wait", found, err, time.Since(start))
	}
	boom := errors.New("boom")
	if _, _, err := Await(ctx, time.Minute, func(context.Context) (int, bool, error) { return 0, false, boom }); err != boom {
		t.Fatalf("a failure: %v", err)
	}
}

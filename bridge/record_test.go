package bridge

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

func TestRecordRetriesTheWriteUntilItSucceeds(t *testing.T) {
	h := newHarness(t)
	calls := 0
	err := h.b.record(context.Background(), "test", func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("database or disk is full")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the third", err, calls)
	}
}

func TestRecordStopsWhenTheRowIsGoneOrTheContextEnds(t *testing.T) {
	h := newHarness(t)
	calls := 0
	err := h.b.record(context.Background(), "test", func(context.Context) error {
		calls++
		return fmt.Errorf("update: %w", store.ErrNotFound)
	})
	if !errors.Is(err, store.ErrNotFound) || calls != 1 {
		t.Fatalf("err %v after %d calls, want ErrNotFound at once", err, calls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = h.b.record(ctx, "test", func(context.Context) error { return errors.New("database or disk is full") })
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the write's error once the context ended", err)
	}
}

package lanes

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

func TestEngineWaitsForTheLatestRetryTimeInAJoinedError(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	now := h.st.Now()
	h.engine.Handle("test", "work", func(context.Context, *store.Event) error {
		// Two layers each said when: the lane waits for the later one.
		return errors.Join(
			domain.RetryAt(errors.New("budget empty"), now.Add(10*time.Second)),
			fmt.Errorf("slack: %w", domain.RetryAt(errors.New("429"), now.Add(30*time.Second))),
		)
	})
	if _, err := h.st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "1", Type: "work", Lane: "l1"}); err != nil {
		t.Fatal(err)
	}
	lane, ok, err := h.st.ClaimLane(ctx, "test", time.Minute)
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	h.engine.RunLane(ctx, lane, "test")

	var l store.Lane
	if err := h.st.DB().Where("name = ?", "l1").Take(&l).Error; err != nil {
		t.Fatal(err)
	}
	if l.DueAt == nil || !l.DueAt.Equal(now.Add(30*time.Second)) {
		t.Fatalf("lane due at %v, want %v", l.DueAt, now.Add(30*time.Second))
	}
}

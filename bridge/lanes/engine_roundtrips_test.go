package lanes

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store"
)

// A lane of quick events renews its lease once a third of it has passed,
// not before every event (a round trip per event saved); the lane's events
// are all done in order all the same.
func TestALaneOfQuickEventsRenewsItsLeaseOnlyAfterAThirdOfIt(t *testing.T) {
	h := newHarness(t)
	var renewals int
	h.st.DB().Callback().Update().After("gorm:update").Register("test:count_renewals", func(db *gorm.DB) {
		if m, ok := db.Statement.Dest.(map[string]any); ok && db.Statement.Table == "lanes" && len(m) == 1 && m["lease_until"] != nil {
			renewals++
		}
	})
	var done []string
	h.engine.Handle("test", "work", func(_ context.Context, ev *store.Event) error {
		done = append(done, ev.ExternalID)
		if ev.ExternalID == "e5" {
			h.clock.Advance(h.engine.cfg.Lease/3 + time.Millisecond)
		}
		return nil
	})
	for i := 1; i <= 10; i++ {
		insertWork(t, h.st, fmt.Sprintf("e%d", i), "conv:a")
	}
	h.drain()
	if fmt.Sprint(done) != "[e1 e2 e3 e4 e5 e6 e7 e8 e9 e10]" {
		t.Fatalf("done %v", done)
	}
	if renewals != 1 {
		t.Fatalf("the lease was renewed %d times for 10 quick events, a third of a lease apart once: want 1", renewals)
	}
}

// A lane with many texts waiting reads them a few at a time, not with a
// query each, and works them in order; one that arrives while the lane is
// worked is still done, after them.
func TestALaneReadsItsWaitingEventsAFewAtATime(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var reads int
	h.st.DB().Callback().Query().After("gorm:query").Register("test:count_lane_reads", func(db *gorm.DB) {
		if db.Statement.Table == "events" && strings.Contains(db.Statement.SQL.String(), "lane =") {
			reads++
		}
	})
	var done []string
	h.engine.Handle("test", "work", func(_ context.Context, ev *store.Event) error {
		done = append(done, ev.ExternalID)
		if ev.ExternalID == "e03" {
			if _, err := h.st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "late", Type: "work", Lane: "conv:a"}); err != nil {
				return err
			}
		}
		return nil
	})
	var want []string
	for i := 1; i <= 20; i++ {
		id := fmt.Sprintf("e%02d", i)
		insertWork(t, h.st, id, "conv:a")
		want = append(want, id)
	}
	want = append(want, "late")
	h.drain()
	if fmt.Sprint(done) != fmt.Sprint(want) {
		t.Fatalf("done %v, want %v", done, want)
	}
	// 21 events, laneReadAhead at a time, and the read that finds none.
	if max := 21/laneReadAhead + 2; reads > max {
		t.Fatalf("%d reads of the lane's events for 21 events, want at most %d", reads, max)
	}
}

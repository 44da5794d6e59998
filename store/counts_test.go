package store

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/migrations"
)

// scanCounts counts the events themselves, to check the kept counts by.
func scanCounts(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.DB().Model(&Event{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out
}

// keptCounts is what the summary table holds, with zero counts left out.
func keptCounts(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	var rows []EventCount
	if err := s.DB().Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] += r.N
	}
	maps.DeleteFunc(out, func(_ string, n int64) bool { return n == 0 })
	return out
}

func TestEventCountsStayRightThroughInsertDoneFailedRetry(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	check := func(step string, want map[string]int64) {
		t.Helper()
		if got := keptCounts(t, s); !maps.Equal(got, want) {
			t.Fatalf("%s: kept counts %v, want %v", step, got, want)
		}
		if got := scanCounts(t, s); !maps.Equal(got, want) {
			t.Fatalf("%s: the events are %v, want %v", step, got, want)
		}
		got, err := s.EventCounts(ctx)
		maps.DeleteFunc(got, func(_ string, n int64) bool { return n == 0 })
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("%s: EventCounts %v %v, want %v", step, got, err, want)
		}
	}
	for _, id := range []string{"a1", "a2", "b1", "a1"} { // a1 is delivered twice
		s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: id, Type: "t", Lane: "lane-" + id[:1]})
	}
	s.InsertEvent(ctx, &Event{Source: "telnyx", ExternalID: "x", Type: "link"}) // no lane: ignored
	check("after insert", map[string]int64{EventPending: 3, EventIgnored: 1})

	lane, _, _ := s.ClaimLane(ctx, "w", time.Minute)
	ev, _ := s.NextEvent(ctx, lane)
	if err := s.RetryEvent(ctx, ev, s.Now(), "429", "w"); err != nil {
		t.Fatal(err)
	}
	check("after a retry", map[string]int64{EventPending: 3, EventIgnored: 1})

	var evs []Event
	s.DB().Where("status = ?", EventPending).Order("id").Find(&evs)
	if err := s.FinishEvent(ctx, evs[0].ID, EventDone, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishEvent(ctx, evs[1].ID, EventFailed, "permanent"); err != nil {
		t.Fatal(err)
	}
	check("after done and failed", map[string]int64{EventPending: 1, EventDone: 1, EventFailed: 1, EventIgnored: 1})
	if err := s.FinishEvent(ctx, evs[0].ID, EventDone, ""); err != nil { // finished twice
		t.Fatal(err)
	}
	check("after finishing again", map[string]int64{EventPending: 1, EventDone: 1, EventFailed: 1, EventIgnored: 1})

	// A batch of many at once, as under a burst, duplicates included.
	done := make(chan struct{})
	for i := range 300 {
		go func() {
			defer func() { done <- struct{}{} }()
			s.InsertEvent(ctx, &Event{Source: "slack", ExternalID: string(rune('A' + i%150)), Type: "t", Lane: "burst"})
		}()
	}
	for range 300 {
		<-done
	}
	check("after a burst", map[string]int64{EventPending: 151, EventDone: 1, EventFailed: 1, EventIgnored: 1})
}

// Migration 11 counts the events a database already holds.
func TestMigration11CountsTheEventsAlreadyStored(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	old := openRaw(t, url)
	if err := migrations.UpTo(ctx, old, 10, time.Now); err != nil {
		t.Fatal(err)
	}
	for i, st := range []string{EventPending, EventDone, EventDone, EventIgnored} {
		err := old.Exec(`INSERT INTO events (source, external_id, type, lane, status, attempts, received_at) VALUES ('t', ?, 't', 'l', ?, 0, ?)`,
			string(rune('a'+i)), st, time.Now()).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := keptCounts(t, s), map[string]int64{EventPending: 1, EventDone: 2, EventIgnored: 1}; !maps.Equal(got, want) {
		t.Fatalf("counts after migration 11: %v, want %v", got, want)
	}
}

package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestHoursKeepWeekAndReplyApartAndClearTakesHolidaysToo(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const our = "+18445550001"
	if _, err := s.Hours(ctx, our); !errors.Is(err, ErrNotFound) {
		t.Fatalf("hours before any were set: %v, want ErrNotFound", err)
	}
	if err := s.SetAutoReplyText(ctx, our, "We are closed", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHours(ctx, our, "mon-fri 09:00-17:30", "America/New_York", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	h, err := s.Hours(ctx, our)
	if err != nil || h.Week != "mon-fri 09:00-17:30" || h.TimeZone != "America/New_York" || h.Reply != "We are closed" {
		t.Fatalf("hours = %+v, %v: setting the week lost the reply or the other way round", h, err)
	}
	for _, d := range []string{"2026-12-25", "2026-01-01", "2026-12-25"} {
		if err := s.AddHoliday(ctx, our, d, "UADMIN"); err != nil {
			t.Fatal(err)
		}
	}
	if ds, _ := s.Holidays(ctx, our); !slices.Equal(ds, []string{"2026-01-01", "2026-12-25"}) {
		t.Fatalf("holidays = %v", ds)
	}
	if ok, err := s.RemoveHoliday(ctx, our, "2026-01-01"); !ok || err != nil {
		t.Fatalf("remove a holiday: %v %v", ok, err)
	}
	if ok, _ := s.RemoveHoliday(ctx, our, "2026-07-04"); ok {
		t.Fatal("removing a date that is no holiday reported one removed")
	}
	if err := s.ClearHours(ctx, our); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hours(ctx, our); !errors.Is(err, ErrNotFound) {
		t.Fatalf("hours after clearing: %v", err)
	}
	if ds, _ := s.Holidays(ctx, our); len(ds) != 0 {
		t.Fatalf("holidays after clearing: %v", ds)
	}
}

func TestClaimAutoReplyOncePerIntervalAndAgainForItsOwnRetry(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	every := 12 * time.Hour
	steps := []struct {
		trigger string
		at      time.Time
		want    bool
	}{
		{"m1", t0, true},                             // the first
		{"m1", t0.Add(time.Minute), true},            // its handler's retry
		{"m2", t0.Add(time.Hour), false},             // within 12 h
		{"m3", t0.Add(every), true},                  // 12 h later
		{"m2", t0.Add(every + time.Minute), false},   // an old trigger is not a retry any more
		{"m4", t0.Add(2*every - time.Second), false}, // just short of the next interval
	}
	for i, st := range steps {
		got, err := s.ClaimAutoReply(ctx, 7, st.trigger, st.at, every)
		if err != nil || got != st.want {
			t.Fatalf("step %d (%s at %s): claim = %v, %v; want %v", i, st.trigger, st.at, got, err, st.want)
		}
	}
	if got, _ := s.ClaimAutoReply(ctx, 8, "m1", t0, every); !got {
		t.Fatal("another conversation shares the first one's interval")
	}
}

package cmdkit

import (
	"testing"
	"time"
)

// FuzzParseWhen feeds the schedule time parser arbitrary text in several
// zones. It must not panic, and any time it and CheckSchedulable accept is
// in the future and within DefaultScheduleMaxAhead.
//
//	go test -run '^$' -fuzz=FuzzParseWhen -fuzztime=60s ./smscmd/cmdkit
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{
		"in 750599937895083h", "9999-12-31", "9999-12-31 09:00", "9999-12-31T23:59:59Z",
		"in 99999999999999999999m", "in 9223372036854775807w", "in 100000h 100000h", "in 2h", "in 1h30m",
		"in 3 days", "in 2 hours and 5 minutes", "tomorrow 9am", "next monday 9:15am", "today 17:30", "noon",
		"2026-12-01 09:00", "2026-12-01T09:00", "2026-12-01T09:00:00-05:00", "2027-03-14 02:30",
		"0001-01-01 00:00", "tomorrow 13pm", "", "in", "in 0m", "12:60", "monday",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	zones := []string{"UTC", "America/New_York", "Pacific/Kiritimati", "Australia/Lord_Howe"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			f.Fatal(err)
		}
		locs[i] = loc
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string, zone uint8) {
		at, err := ParseWhen(s, now, locs[int(zone)%len(locs)])
		if err != nil {
			return
		}
		if CheckSchedulable(at, now, 5*time.Minute) != nil {
			return
		}
		if d := at.Sub(now); d < 5*time.Minute || d > DefaultScheduleMaxAhead {
			t.Fatalf("%q accepted as %s, %s ahead", s, at, d)
		}
	})
}

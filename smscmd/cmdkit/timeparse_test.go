package cmdkit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWhenInSeveralZonesAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	berlin := mustLoc(t, "Europe/Berlin")
	sydney := mustLoc(t, "Australia/Sydney")
	kolkata := mustLoc(t, "Asia/Kolkata")
	utc := time.UTC
	// Saturday 2026-10-31 10:00 UTC: New York (EDT) falls back on Sunday
	// 2026-11-01 at 02:00; Berlin fell back on 2026-10-25.
	beforeNYFallBack := time.Date(2026, 10, 31, 10, 0, 0, 0, time.UTC)
	// Saturday 2027-03-13 15:00 UTC: New York springs forward on Sunday
	// 2027-03-14 at 02:00.
	beforeNYSpring := time.Date(2027, 3, 13, 15, 0, 0, 0, time.UTC)
	// Saturday 2026-10-03 03:00 UTC: Sydney springs forward on Sunday
	// 2026-10-04 at 02:00 (AEST +10 → AEDT +11).
	beforeSydneySpring := time.Date(2026, 10, 3, 3, 0, 0, 0, time.UTC)

	tests := []struct {
		name string
		in   string
		now  time.Time
		loc  *time.Location
		want string // RFC 3339 in UTC
	}{
		{"date and 24h time, New York winter", "2026-12-01 09:00", beforeNYFallBack, ny, "2026-12-01T14:00:00Z"},
		{"date and 24h time, New York summer", "2026-07-01 09:00", beforeNYFallBack, ny, "2026-07-01T13:00:00Z"},
		{"date with T", "2026-12-01T09:00", beforeNYFallBack, berlin, "2026-12-01T08:00:00Z"},
		{"date and am/pm", "2026-12-01 9pm", beforeNYFallBack, kolkata, "2026-12-01T15:30:00Z"},
		{"RFC 3339 keeps its own offset", "2026-12-01T09:00:00-05:00", beforeNYFallBack, berlin, "2026-12-01T14:00:00Z"},
		{"RFC 3339 Z", "2026-12-01T09:00:00Z", beforeNYFallBack, sydney, "2026-12-01T09:00:00Z"},
		{"tomorrow 9am across the fall-back, New York (EST after)", "tomorrow 9am", beforeNYFallBack, ny, "2026-11-01T14:00:00Z"},
		{"today 9am before the fall-back, New York (EDT)", "today 11pm", beforeNYFallBack, ny, "2026-11-01T03:00:00Z"},
		{"tomorrow 9am in Berlin (already CET)", "tomorrow 9am", beforeNYFallBack, berlin, "2026-11-01T08:00:00Z"},
		{"tomorrow 9am across the spring-forward, New York (EDT after)", "tomorrow 9am", beforeNYSpring, ny, "2027-03-14T13:00:00Z"},
		{"tomorrow 9am across Sydney's spring-forward (AEDT after)", "tomorrow 9am", beforeSydneySpring, sydney, "2026-10-03T22:00:00Z"},
		{"tomorrow with 24h and at", "tomorrow at 17:30", beforeNYFallBack, kolkata, "2026-11-01T12:00:00Z"},
		{"tomorrow noon", "Tomorrow noon", beforeNYFallBack, utc, "2026-11-01T12:00:00Z"},
		{"weekday is the next one", "monday 9:15am", beforeNYFallBack, ny, "2026-11-02T14:15:00Z"},
		{"next weekday", "next Saturday at 9am", beforeNYFallBack, ny, "2026-11-07T14:00:00Z"},
		{"bare time is today", "5pm", beforeNYFallBack, ny, "2026-10-31T21:00:00Z"},
		{"in 2h is absolute", "in 2h", beforeNYFallBack, ny, "2026-10-31T12:00:00Z"},
		{"in 24 hours across fall-back is 24 real hours", "in 24 hours", beforeNYFallBack, ny, "2026-11-01T10:00:00Z"},
		{"in 1 day across fall-back keeps the wall clock", "in 1 day", beforeNYFallBack, ny, "2026-11-01T11:00:00Z"},
		{"in 1 day across spring-forward keeps the wall clock", "in 1 day", beforeNYSpring, ny, "2027-03-14T14:00:00Z"},
		{"in 1h30m", "in 1h30m", beforeNYFallBack, utc, "2026-10-31T11:30:00Z"},
		{"in 2 hours and 15 minutes", "in 2 hours and 15 minutes", beforeNYFallBack, utc, "2026-10-31T12:15:00Z"},
		{"in 10 days", "in 10 days", beforeNYFallBack, berlin, "2026-11-10T10:00:00Z"},
		{"in 2 weeks", "in 2 weeks", beforeNYFallBack, utc, "2026-11-14T10:00:00Z"},
		{"repeated wall time takes the first (EDT)", "2026-11-01 01:30", beforeNYFallBack, ny, "2026-11-01T05:30:00Z"},
		{"12am is midnight", "2026-12-01 12am", beforeNYFallBack, utc, "2026-12-01T00:00:00Z"},
		{"12pm is noon", "2026-12-01 12:30pm", beforeNYFallBack, utc, "2026-12-01T12:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWhen(tt.in, tt.now, tt.loc)
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tt.in, err)
			}
			if g := got.UTC().Format(time.RFC3339); g != tt.want {
				t.Errorf("ParseWhen(%q) in %s = %s, want %s", tt.in, tt.loc, g, tt.want)
			}
		})
	}
}

func TestParseWhenRefusesWhatItCannotRead(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	now := time.Date(2027, 3, 13, 15, 0, 0, 0, time.UTC)
	tests := []struct{ in, wantInErr string }{
		{"", "no time given"},
		{"soonish", "not a time of day"},
		{"tomorrow", "needs a time of day"},
		{"2027-03-14 02:30", "does not exist"}, // skipped when New York springs forward
		{"2027-02-30 09:00", "not a date"},
		{"tomorrow 13pm", "1–12"},
		{"tomorrow 9", "am or pm"},
		{"tomorrow 25:00", "not a time of day"},
		{"in a while", "say how long"},
		{"in 2 parsecs", "say how long"},
		{"in 2h blah", "cannot read"},
	}
	for _, tt := range tests {
		_, err := ParseWhen(tt.in, now, ny)
		if !errors.Is(err, ErrBadTime) || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("ParseWhen(%q) error = %v, want ErrBadTime mentioning %q", tt.in, err, tt.wantInErr)
		}
	}
}

func TestCheckSchedulableRefusesPastAndTooSoon(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if err := CheckSchedulable(now.Add(-time.Minute), now, 5*time.Minute); err == nil || !strings.Contains(err.Error(), "in the past") {
		t.Errorf("past: %v", err)
	}
	if err := CheckSchedulable(now.Add(4*time.Minute), now, 5*time.Minute); err == nil || !strings.Contains(err.Error(), "at least 5m") {
		t.Errorf("too soon: %v", err)
	}
	if err := CheckSchedulable(now.Add(5*time.Minute), now, 5*time.Minute); err != nil {
		t.Errorf("5 minutes ahead is allowed: %v", err)
	}
}

func TestUserLocationFromSlackProfile(t *testing.T) {
	if got := UserLocation(&slack.User{TZ: "Europe/Berlin"}).String(); got != "Europe/Berlin" {
		t.Errorf("tz name: %s", got)
	}
	fixed := UserLocation(&slack.User{TZ: "Mars/Olympus", TZLabel: "X", TZOffset: -18000})
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, fixed).Zone(); off != -18000 {
		t.Errorf("unknown tz falls back to the offset, got %d", off)
	}
	if UserLocation(nil) != time.UTC {
		t.Error("no user: UTC")
	}
}

func TestScheduleTimesThatCannotBeAreRefused(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct{ in, wantInErr string }{
		// 750599937895083h × 1h overflows int64 and wrapped to 20 minutes ahead.
		{"in 750599937895083h", "too far ahead"},
		{"in 99999999999999999999m", "too far ahead"}, // does not fit an int: was read as 0
		{"in 9223372036854775807w", "too far ahead"},
		{"in 3000000 days", "too far ahead"},
		{"in 100000h 100000h", "too far ahead"},
		{"9999-12-31 09:00", "too far ahead"},
		{"9999-12-31T23:59:59Z", "too far ahead"},
		{"in 400 days", "too far ahead"},
		{"0001-01-01 09:00", "in the past"},
	}
	for _, tt := range tests {
		at, err := ParseWhen(tt.in, now, time.UTC)
		if err == nil {
			err = CheckSchedulable(at, now, 5*time.Minute)
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("%q: accepted as %s or wrong error %v, want %q", tt.in, at, err, tt.wantInErr)
		}
	}
}

func TestScheduleWithinTheCapIsAccepted(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"in 364 days", "2027-11-30 09:00", "in 52w", "in 8000h"} {
		at, err := ParseWhen(in, now, time.UTC)
		if err == nil {
			err = CheckSchedulable(at, now, 5*time.Minute)
		}
		if err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	at := now.Add(30 * 24 * time.Hour)
	if err := CheckScheduleWindow(at, now, 5*time.Minute, 7*24*time.Hour); err == nil || !strings.Contains(err.Error(), "at most 7 days ahead") {
		t.Errorf("a configured cap of 7 days: %v", err)
	}
}

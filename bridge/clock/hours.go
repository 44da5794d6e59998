package clock

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata"
) // zone rules inside the binary: the slim image has no /usr/share/zoneinfo

// Business hours: when the team answers each of our numbers. A number
// with no hours set is open at all times.

// Hours is one of our numbers' business hours as the rules read them.
type Hours struct {
	Our      E164
	Week     Week           // empty: no hours set, open at all times
	Loc      *time.Location // the zone Week and Holidays are read in
	Holidays []string       // YYYY-MM-DD in Loc, closed all day
	Reply    string         // the auto-reply; "" sends none
	SetBy    string
	Updated  time.Time
}

// Set reports whether hours were set (otherwise the number is always open).
func (h *Hours) Set() bool { return !h.Week.Empty() }

func (h *Hours) holiday(day time.Time) bool {
	d := day.Format(time.DateOnly)
	for _, x := range h.Holidays {
		if x == d {
			return true
		}
	}
	return false
}

// openings are the instants the number is open on the local day of t.
func (h *Hours) openings(day time.Time) [][2]time.Time {
	if h.holiday(day) {
		return nil
	}
	y, m, d := day.Date()
	var out [][2]time.Time
	for _, s := range h.Week[day.Weekday()] {
		// time.Date resolves each local clock time in its own day's
		// offset, so a daylight-saving change is counted right.
		open := time.Date(y, m, d, s.Open/60, s.Open%60, 0, 0, h.Loc)
		closes := time.Date(y, m, d, s.Close/60, s.Close%60, 0, 0, h.Loc)
		out = append(out, [2]time.Time{open, closes})
	}
	return out
}

// IsOpen reports whether the number is open at t.
func (h *Hours) IsOpen(t time.Time) bool {
	if !h.Set() {
		return true
	}
	for _, o := range h.openings(t.In(h.Loc)) {
		if !t.Before(o[0]) && t.Before(o[1]) {
			return true
		}
	}
	return false
}

// NextOpen is when the number next opens at or after t (t itself when it
// is open then); ok is false when it does not open within a year (every
// day a holiday).
func (h *Hours) NextOpen(t time.Time) (at time.Time, ok bool) {
	if h.IsOpen(t) {
		return t, true
	}
	local := t.In(h.Loc)
	for i := 0; i <= 366; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 12, 0, 0, 0, h.Loc)
		for _, o := range h.openings(day) {
			if o[0].After(t) {
				return o[0], true
			}
		}
	}
	return time.Time{}, false
}

// OpenDuration is how much of [from, to) the number is open: all of it
// when no hours are set. Nudges count a wait in open time with it.
func (h *Hours) OpenDuration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if !h.Set() {
		return to.Sub(from)
	}
	var total time.Duration
	local := from.In(h.Loc)
	// One day before from: a span of the previous local day cannot reach
	// into this one (spans end by midnight), but the zone's day may start
	// before from's UTC day.
	for i := -1; ; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 12, 0, 0, 0, h.Loc)
		if day.Add(-12 * time.Hour).After(to) {
			return total
		}
		for _, o := range h.openings(day) {
			a, b := later(o[0], from), earlier(o[1], to)
			if b.After(a) {
				total += b.Sub(a)
			}
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// LoadZone reads an IANA time zone name (America/New_York, Europe/Berlin,
// UTC), refusing the process's local zone, which means nothing to a team.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("%w: name a time zone, e.g. America/New_York or Europe/Berlin", ErrWeek)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a time zone; use an IANA name such as America/New_York, Europe/London or Asia/Tokyo", ErrWeek, name)
	}
	return loc, nil
}

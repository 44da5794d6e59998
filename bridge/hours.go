package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zone rules inside the binary: the slim image has no /usr/share/zoneinfo

	"github.com/smsbridge/smsbridge/store"
)

// Business hours: when the team answers each of our numbers. Outside them
// the first text of a waiting spell gets the number's auto-reply
// (autoreply.go); nudges count only open time (OpenDuration). A number
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

// HoursOf is our number's hours; a number with none set is open at all
// times (Set is false).
func (b *Bridge) HoursOf(ctx context.Context, our E164) (*Hours, error) {
	row, err := b.st.Hours(ctx, string(our))
	if errors.Is(err, store.ErrNotFound) {
		return &Hours{Our: our, Loc: time.UTC}, nil
	}
	if err != nil {
		return nil, err
	}
	return b.hoursFrom(ctx, row)
}

func (b *Bridge) hoursFrom(ctx context.Context, row *store.BusinessHours) (*Hours, error) {
	h := &Hours{Our: E164(row.OurNumber), Loc: time.UTC, Reply: row.Reply, SetBy: row.SetBy, Updated: row.UpdatedAt}
	if row.Week != "" {
		w, err := ParseWeek(strings.Fields(row.Week))
		if err != nil {
			return nil, fmt.Errorf("stored hours of %s: %w", row.OurNumber, err)
		}
		loc, err := LoadZone(row.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("stored hours of %s: %w", row.OurNumber, err)
		}
		h.Week, h.Loc = w, loc
	}
	var err error
	h.Holidays, err = b.st.Holidays(ctx, row.OurNumber)
	return h, err
}

// AllHours is every number that has hours or an auto-reply set.
func (b *Bridge) AllHours(ctx context.Context) ([]*Hours, error) {
	rows, err := b.st.AllHours(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Hours, 0, len(rows))
	for i := range rows {
		h, err := b.hoursFrom(ctx, &rows[i])
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// OpenDuration is how much of [from, to) our number is open (all of it
// when it has no hours). The nudges of waiting conversations count with
// it, so a text that came in on Friday evening is not overdue on Monday
// at 9:01.
func (b *Bridge) OpenDuration(ctx context.Context, our E164, from, to time.Time) (time.Duration, error) {
	h, err := b.HoursOf(ctx, our)
	if err != nil {
		return 0, err
	}
	return h.OpenDuration(from, to), nil
}

// SetHours parses days and times followed by a time zone ("mon-fri
// 09:00-17:30 America/New_York") and stores them as our number's week.
// A malformed week is an error wrapping ErrWeek, saying what is wrong.
func (b *Bridge) SetHours(ctx context.Context, our E164, fields []string, by string) (*Hours, error) {
	if len(fields) < 3 {
		return nil, fmt.Errorf("%w: give days, times and a time zone, e.g. mon-fri 09:00-17:30 America/New_York", ErrWeek)
	}
	loc, err := LoadZone(fields[len(fields)-1])
	if err != nil {
		return nil, err
	}
	w, err := ParseWeek(fields[:len(fields)-1])
	if err != nil {
		return nil, err
	}
	if err := b.st.SetHours(ctx, string(our), w.String(), loc.String(), by); err != nil {
		return nil, err
	}
	return b.HoursOf(ctx, our)
}

// SetAutoReply stores our number's auto-reply; "" turns it off. A text
// that one SMS cannot carry is refused (ErrWeek), with its count.
func (b *Bridge) SetAutoReply(ctx context.Context, our E164, text, by string) error {
	text = strings.TrimSpace(text)
	if parts, enc := defaultSegments(text); parts > MaxSegments {
		return fmt.Errorf("%w: the auto-reply needs %d SMS segments (%s); one SMS can have at most %d", ErrWeek, parts, enc, MaxSegments)
	}
	return b.st.SetAutoReplyText(ctx, string(our), text, by)
}

// AddHoliday closes our number all day on date (YYYY-MM-DD, in its hours'
// zone); RemoveHoliday opens it again and reports whether it was one.
func (b *Bridge) AddHoliday(ctx context.Context, our E164, date, by string) error {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return fmt.Errorf("%w: %q is not a date; write it as YYYY-MM-DD, e.g. 2026-12-25", ErrWeek, date)
	}
	return b.st.AddHoliday(ctx, string(our), date, by)
}

// RemoveHoliday opens date again; it reports whether it was a holiday.
func (b *Bridge) RemoveHoliday(ctx context.Context, our E164, date string) (bool, error) {
	return b.st.RemoveHoliday(ctx, string(our), date)
}

// ClearHours turns our number's hours off: it is open at all times, sends
// no auto-reply, and its holidays are forgotten.
func (b *Bridge) ClearHours(ctx context.Context, our E164) error {
	return b.st.ClearHours(ctx, string(our))
}

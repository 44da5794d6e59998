package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/clock"
	"github.com/smsbridge/smsbridge/store"
)

// Business hours: when the team answers each of our numbers. Outside them
// the first text of a waiting spell gets the number's auto-reply
// (inbound/autoreply.go); nudges count only open time (OpenDuration). A number
// with no hours set is open at all times.

// The week, the hours and their arithmetic are package clock's; these
// names keep the bridge's importers unchanged.
type (
	Hours = clock.Hours // one of our numbers' business hours
	Week  = clock.Week  // when a number is open, day by day
	Span  = clock.Span  // one open span of a day, in minutes after midnight
)

// ErrWeek is what a malformed week, zone, holiday or auto-reply wraps.
var ErrWeek = clock.ErrWeek

var (
	ParseWeek   = clock.ParseWeek
	ParseClock  = clock.ParseClock
	FormatClock = clock.FormatClock
	LoadZone    = clock.LoadZone
)

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

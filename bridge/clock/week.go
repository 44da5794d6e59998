package clock

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Week is when a number is open, day by day: for each weekday (indexed
// by time.Weekday, Sunday first) the spans of local clock time it is open.
type Week [7][]Span

// Span is one opening on a day: from Open to Close, minutes after local
// midnight (Close may be 24*60, midnight at the end of the day).
type Span struct{ Open, Close int }

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Day groups people type besides mon…sun and ranges of them.
var dayGroups = map[string][]time.Weekday{
	"daily":    {0, 1, 2, 3, 4, 5, 6},
	"weekdays": {1, 2, 3, 4, 5},
	"weekends": {0, 6},
}

// ErrWeek is the error of every week that does not parse; the message
// says what is wrong in words.
var ErrWeek = errors.New("hours")

// ParseWeek reads days followed by one or more opening times, repeated:
// "mon-fri 09:00-17:30 sat 10:00-14:00", "weekdays 9:00-12:00 13:00-17:00",
// "mon,wed,fri 08:00-16:00". Days are mon…sun, ranges of them (fri-mon
// wraps), comma lists, daily, weekdays, weekends; times are 24-hour H:MM
// or HH:MM, and a span must close after it opens (24:00 is midnight at
// the end of the day). Commas between groups are ignored.
func ParseWeek(fields []string) (Week, error) {
	var w Week
	var days []time.Weekday
	sawTime := true // a time must follow each day group
	for _, f := range fields {
		f = strings.ToLower(strings.Trim(f, ", "))
		if f == "" {
			continue
		}
		if f[0] >= '0' && f[0] <= '9' {
			if days == nil {
				return Week{}, fmt.Errorf("%w: %q comes before any days; start with the days, e.g. mon-fri 09:00-17:30", ErrWeek, f)
			}
			sp, err := parseSpan(f)
			if err != nil {
				return Week{}, err
			}
			for _, d := range days {
				w[d] = append(w[d], sp)
			}
			sawTime = true
			continue
		}
		if !sawTime {
			return Week{}, fmt.Errorf("%w: the days before %q have no opening time, e.g. 09:00-17:30", ErrWeek, f)
		}
		ds, err := parseDays(f)
		if err != nil {
			return Week{}, err
		}
		days, sawTime = ds, false
	}
	if days == nil {
		return Week{}, fmt.Errorf("%w: no days given, e.g. mon-fri 09:00-17:30", ErrWeek)
	}
	if !sawTime {
		return Week{}, fmt.Errorf("%w: the last days have no opening time, e.g. 09:00-17:30", ErrWeek)
	}
	for d := range w {
		slices.SortFunc(w[d], func(a, b Span) int { return a.Open - b.Open })
	}
	return w, nil
}

func parseDays(f string) ([]time.Weekday, error) {
	if g, ok := dayGroups[f]; ok {
		return g, nil
	}
	var out []time.Weekday
	for _, part := range strings.Split(f, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, okA := dayIndex(from)
		b, okB := a, true
		if isRange {
			b, okB = dayIndex(to)
		}
		if !okA || !okB {
			return nil, fmt.Errorf("%w: %q is not a day; use mon, tue, wed, thu, fri, sat, sun, a range (mon-fri), or daily, weekdays, weekends", ErrWeek, part)
		}
		for d := a; ; d = (d + 1) % 7 {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func dayIndex(s string) (time.Weekday, bool) {
	if len(s) > 3 {
		s = s[:3] // monday, tues…
	}
	i := slices.Index(dayNames[:], s)
	return time.Weekday(i), i >= 0
}

func parseSpan(f string) (Span, error) {
	a, b, ok := strings.Cut(f, "-")
	if !ok {
		return Span{}, fmt.Errorf("%w: %q is not an opening time; write it as 09:00-17:30", ErrWeek, f)
	}
	open, err := ParseClock(a)
	if err != nil {
		return Span{}, err
	}
	closes, err := ParseClock(b)
	if err != nil {
		return Span{}, err
	}
	if closes <= open {
		return Span{}, fmt.Errorf("%w: %q closes before it opens; a span ends the same day (use 24:00 for midnight; overnight hours are two spans on two days)", ErrWeek, f)
	}
	return Span{open, closes}, nil
}

// ParseClock reads a 24-hour local time, H:MM or HH:MM (24:00 is the end
// of the day), as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(h) == 0 || len(h) > 2 ||
		hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%w: %q is not a time of day; write 24-hour time, e.g. 09:00 or 17:30", ErrWeek, s)
	}
	return hh*60 + mm, nil
}

// FormatClock writes minutes after midnight as HH:MM.
func FormatClock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// Empty reports whether the week has no opening at all.
func (w Week) Empty() bool {
	for _, s := range w {
		if len(s) > 0 {
			return false
		}
	}
	return true
}

// String is the week in ParseWeek's syntax, Monday first, with runs of
// days that share their times joined: "mon-fri 09:00-17:30, sat 10:00-14:00".
func (w Week) String() string {
	order := []time.Weekday{1, 2, 3, 4, 5, 6, 0}
	var groups []string
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && slices.Equal(w[order[j+1]], w[order[i]]) {
			j++
		}
		if spans := w[order[i]]; len(spans) > 0 {
			days := dayNames[order[i]]
			if j > i {
				days += "-" + dayNames[order[j]]
			}
			for _, s := range spans {
				days += " " + FormatClock(s.Open) + "-" + FormatClock(s.Close)
			}
			groups = append(groups, days)
		}
		i = j + 1
	}
	return strings.Join(groups, ", ")
}

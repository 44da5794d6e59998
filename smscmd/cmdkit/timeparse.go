package cmdkit

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	// Time zones come from Slack (users.info tz); embed the database so
	// they resolve in minimal containers without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/slack-go/slack"
)

// ErrBadTime is wrapped by ParseWhen errors: the input is not a time it
// understands, or names a local time that does not exist.
var ErrBadTime = errors.New("cannot read the time")

// ParseWhen reads a time as a teammate types it, in their zone loc:
//
//	2026-12-01 09:00, 2026-12-01 9am, 2026-12-01T09:00   a date and time
//	2026-12-01T09:00:00-05:00, …Z                         RFC 3339 (its own zone)
//	tomorrow 9am, today 17:30, (next) monday 9:15am       a day and time
//	9am, 17:30, noon                                      today
//	in 2h, in 90m, in 1h30m, in 2 hours, in 3 days        from now
//
// Days are calendar days in loc, so "tomorrow 9am" and "in 1 day" keep the
// wall clock across a daylight-saving change while "in 24h" does not. A
// wall time that does not exist (skipped when clocks go forward) is
// refused; one that happens twice (clocks go back) is the first.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	in := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if in == "" {
		return time.Time{}, fmt.Errorf("%w: no time given", ErrBadTime)
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(in)); err == nil {
		return t, nil
	}
	if rest, ok := strings.CutPrefix(in, "in "); ok {
		return parseIn(rest, now, loc)
	}
	nowLocal := now.In(loc)
	words := strings.SplitN(strings.TrimPrefix(in, "next "), " ", 2)
	var day time.Time // midnight (wall) of the day meant
	clock := ""
	switch {
	case dateRe.MatchString(words[0]) || dateTimeRe.MatchString(words[0]):
		date, tm, _ := strings.Cut(words[0], "t")
		d, err := time.ParseInLocation("2006-01-02", date, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %q is not a date (want YYYY-MM-DD)", ErrBadTime, date)
		}
		day, clock = d, tm
		if len(words) == 2 {
			if clock != "" {
				return time.Time{}, fmt.Errorf("%w: unexpected %q after %q", ErrBadTime, words[1], words[0])
			}
			clock = words[1]
		}
	case words[0] == "today" || words[0] == "tomorrow":
		day = midnight(nowLocal)
		if words[0] == "tomorrow" {
			day = midnight(nowLocal.AddDate(0, 0, 1))
		}
		if len(words) == 2 {
			clock = strings.TrimPrefix(words[1], "at ")
		}
	case weekday(words[0]) >= 0:
		wd := weekday(words[0])
		ahead := (int(wd) - int(nowLocal.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7 // "monday" on a Monday means next week's
		}
		day = midnight(nowLocal.AddDate(0, 0, ahead))
		if len(words) == 2 {
			clock = strings.TrimPrefix(words[1], "at ")
		}
	default:
		day, clock = midnight(nowLocal), in
	}
	if clock == "" {
		return time.Time{}, fmt.Errorf("%w: %q needs a time of day, e.g. %q", ErrBadTime, s, strings.TrimSpace(s)+" 9am")
	}
	h, m, err := parseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	if t.Hour() != h || t.Minute() != m {
		return time.Time{}, fmt.Errorf("%w: %02d:%02d does not exist on %s in %s (the clocks go forward then)", ErrBadTime, h, m, day.Format("2006-01-02"), loc)
	}
	// time.Date picks either offset for a repeated wall time: take the first.
	if e := t.Add(-time.Hour); e.Hour() == h && e.Minute() == m && e.Day() == t.Day() {
		t = e
	}
	return t, nil
}

var (
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}t\d{1,2}:\d{2}(:\d{2})?$`)
	clockRe    = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s?(am|pm|a\.m\.|p\.m\.)?$`)
	inRe       = regexp.MustCompile(`(\d+)\s?(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)`)
)

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func weekday(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return d
		}
	}
	return -1
}

func parseClock(s string) (h, m int, err error) {
	switch s {
	case "noon":
		return 12, 0, nil
	case "midnight":
		return 0, 0, nil
	}
	g := clockRe.FindStringSubmatch(s)
	if g == nil {
		return 0, 0, fmt.Errorf("%w: %q is not a time of day (try 9am, 9:30pm or 17:30)", ErrBadTime, s)
	}
	h, _ = strconv.Atoi(g[1])
	if g[2] != "" {
		m, _ = strconv.Atoi(g[2])
	}
	switch mer := strings.ReplaceAll(g[3], ".", ""); mer {
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, 0, fmt.Errorf("%w: %q: the hour must be 1–12 with am/pm", ErrBadTime, s)
		}
		h %= 12
		if mer == "pm" {
			h += 12
		}
	default:
		if g[2] == "" {
			return 0, 0, fmt.Errorf("%w: %q: say am or pm, or write it as %s:00", ErrBadTime, s, g[1])
		}
	}
	if h > 23 || m > 59 {
		return 0, 0, fmt.Errorf("%w: %q is not a time of day", ErrBadTime, s)
	}
	return h, m, nil
}

func parseIn(s string, now time.Time, loc *time.Location) (time.Time, error) {
	rest := strings.TrimSpace(strings.ReplaceAll(s, " and ", " "))
	matches := inRe.FindAllStringSubmatchIndex(rest, -1)
	if len(matches) == 0 {
		return time.Time{}, fmt.Errorf("%w: %q: say how long, e.g. in 2h, in 30m, in 3 days", ErrBadTime, "in "+s)
	}
	t := now.In(loc)
	covered := 0
	for _, mt := range matches {
		if strings.TrimSpace(rest[covered:mt[0]]) != "" {
			return time.Time{}, fmt.Errorf("%w: %q: cannot read %q", ErrBadTime, "in "+s, strings.TrimSpace(rest[covered:mt[0]]))
		}
		covered = mt[1]
		unit := rest[mt[4]:mt[5]]
		per := inUnits[unit[0]]
		n, err := strconv.Atoi(rest[mt[2]:mt[3]])
		// Every amount is bounded before it is multiplied, so no sum can
		// overflow and wrap around to a time just ahead.
		if err != nil || n > int(maxInAhead/per) {
			return time.Time{}, fmt.Errorf("%w: %q is too far ahead (at most %s)", ErrBadTime, "in "+s, humanDuration(maxInAhead))
		}
		switch unit[0] {
		case 'w':
			t = t.AddDate(0, 0, 7*n)
		case 'd':
			t = t.AddDate(0, 0, n)
		default:
			t = t.Add(time.Duration(n) * per)
		}
	}
	if t.Sub(now) > maxInAhead {
		return time.Time{}, fmt.Errorf("%w: %q is too far ahead (at most %s)", ErrBadTime, "in "+s, humanDuration(maxInAhead))
	}
	if strings.TrimSpace(rest[covered:]) != "" {
		return time.Time{}, fmt.Errorf("%w: %q: cannot read %q", ErrBadTime, "in "+s, strings.TrimSpace(rest[covered:]))
	}
	return t, nil
}

// maxInAhead bounds what "in …" reads, well beyond any schedule cap, so
// the arithmetic cannot overflow; the cap itself is CheckSchedulable's.
const maxInAhead = 10 * 366 * 24 * time.Hour

var inUnits = map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}

// DefaultScheduleMaxAhead is how far ahead a message may be scheduled
// unless SMSBRIDGE_SCHEDULE_MAX_AHEAD says otherwise.
const DefaultScheduleMaxAhead = 365 * 24 * time.Hour

// CheckSchedulable refuses a time in the past, under min ahead of now, or
// more than DefaultScheduleMaxAhead ahead, saying why.
func CheckSchedulable(t, now time.Time, min time.Duration) error {
	return CheckScheduleWindow(t, now, min, DefaultScheduleMaxAhead)
}

// CheckScheduleWindow refuses a time in the past, under min ahead of now,
// or more than max ahead (max <= 0 means DefaultScheduleMaxAhead), saying
// why.
func CheckScheduleWindow(t, now time.Time, min, max time.Duration) error {
	if max <= 0 {
		max = DefaultScheduleMaxAhead
	}
	// Sub saturates instead of overflowing, so year 9999 is simply far.
	switch d := t.Sub(now); {
	case d <= 0:
		return fmt.Errorf("%s is in the past", t.UTC().Format("2006-01-02 15:04 UTC"))
	case d < min:
		return fmt.Errorf("%s is only %s away: Telnyx needs at least %s", t.UTC().Format("2006-01-02 15:04 UTC"), d.Round(time.Second), min)
	case d > max:
		return fmt.Errorf("%s is too far ahead: a message can be scheduled at most %s ahead", t.UTC().Format("2006-01-02 15:04 UTC"), humanDuration(max))
	}
	return nil
}

// humanDuration writes whole days as days ("365 days"), else as Go does.
func humanDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// UserLocation is a Slack user's time zone (users.info tz), falling back
// to their fixed offset, then UTC.
func UserLocation(u *slack.User) *time.Location {
	if u == nil {
		return time.UTC
	}
	if u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			return loc
		}
	}
	if u.TZOffset != 0 {
		return time.FixedZone(u.TZLabel, u.TZOffset)
	}
	return time.UTC
}

// FormatWhen shows t in loc and in UTC: "Tue 1 Dec 2026 09:00 EST (14:00 UTC)".
func FormatWhen(t time.Time, loc *time.Location) string {
	local := t.In(loc)
	return fmt.Sprintf("%s (%s)", local.Format("Mon 2 Jan 2006 15:04 MST"), t.UTC().Format("2006-01-02 15:04 UTC"))
}

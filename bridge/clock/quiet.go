package clock

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// QuietHours is the window in which a text must not arrive unasked
// (SMSBRIDGE_QUIET_HOURS, default 21:00-08:00, the quiet hours of US state
// telemarketing laws), in the recipient's local time.
type QuietHours struct {
	From, To int  // minutes after local midnight; From > To wraps midnight
	Off      bool // no quiet hours
	set      bool
}

// DefaultQuietHours is 21:00 to 08:00.
var DefaultQuietHours = QuietHours{From: 21 * 60, To: 8 * 60, set: true}

// QuietOff is no quiet hours (SMSBRIDGE_QUIET_HOURS=off).
var QuietOff = QuietHours{Off: true, set: true}

// ParseQuietHours reads "21:00-08:00" or "off"; "" is the default.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return DefaultQuietHours, nil
	case strings.EqualFold(s, "off"):
		return QuietOff, nil
	}
	a, b, ok := strings.Cut(s, "-")
	from, err1 := ParseClock(a)
	to, err2 := ParseClock(b)
	if !ok || err1 != nil || err2 != nil || from == to || from == 24*60 || to == 24*60 {
		return QuietHours{}, fmt.Errorf("SMSBRIDGE_QUIET_HOURS %q: want HH:MM-HH:MM in the recipient's time (e.g. 21:00-08:00), or off", s)
	}
	return QuietHours{From: from, To: to, set: true}, nil
}

func (q QuietHours) String() string {
	if q.Off {
		return "off"
	}
	return FormatClock(q.From) + "–" + FormatClock(q.To)
}

// inWindow reports whether local clock time t is quiet.
func (q QuietHours) inWindow(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if q.From < q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// Quiet is a send that would arrive in a recipient's quiet hours.
type Quiet struct {
	Number E164
	Clock  TheirClock
	Local  time.Time // when it would arrive, on the recipient's clock
	Until  time.Time // the first moment no recipient is in quiet hours
	Window QuietHours
}

// Reason says it in words, for a confirmation or a refusal.
func (q *Quiet) Reason() string {
	return fmt.Sprintf("It would arrive at %s for %s (%s), inside the quiet hours (%s their time), when texts that were not asked for are unwelcome and in some US states unlawful.",
		Clock12(q.Local), q.Number, q.Clock.ZoneNames(), q.Window)
}

// Check reports whether a text to `to` at t would arrive in quiet hours
// for any of them, in any of their likely zones (a number with zones a few
// hours apart is held to the strictest); nil when it would not. A number
// whose zone cannot be told is not held.
func (q QuietHours) Check(to []E164, t time.Time) *Quiet {
	if q.Off {
		return nil
	}
	var first *Quiet
	for _, n := range to {
		c := TheirClockOf(n)
		for _, z := range c.Zones {
			if lt := t.In(z); q.inWindow(lt) && first == nil {
				first = &Quiet{Number: n, Clock: c, Local: lt, Window: q}
			}
		}
	}
	if first != nil {
		first.Until = q.nextAllowed(to, t)
	}
	return first
}

// nextAllowed is the first whole minute at or after t when no recipient
// is in quiet hours (within two days; the window is under a day).
func (q QuietHours) nextAllowed(to []E164, t time.Time) time.Time {
	var zones []*time.Location
	for _, n := range to {
		zones = append(zones, TheirClockOf(n).Zones...)
	}
	at := t.Truncate(time.Minute)
	if at.Before(t) {
		at = at.Add(time.Minute)
	}
	for i := 0; i < 2*24*60; i++ {
		if !slices.ContainsFunc(zones, func(z *time.Location) bool { return q.inWindow(at.In(z)) }) {
			return at
		}
		at = at.Add(time.Minute)
	}
	return at
}

// UntilText is the end of the window on the recipient's clock: "8:00 am
// their time".
func (q *Quiet) UntilText() string {
	return Clock12(q.Until.In(q.Local.Location())) + " their time"
}

// IsSet reports whether q was set (parsed, or one of the named windows);
// the zero value is not, and its users take DefaultQuietHours.
func (q QuietHours) IsSet() bool { return q.set }

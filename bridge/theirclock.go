package bridge

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// The recipient's clock: each number's likely time zones come from
// libphonenumber's time zone data (nyaruka/phonenumbers, the library that
// already normalizes numbers). Headers show the contact's local time;
// sends that would arrive in the quiet hours at the recipient ask first.

// TheirClock is what a number says about where its owner's day is.
type TheirClock struct {
	Number E164
	Zones  []*time.Location // likely zones; nil when the number tells nothing useful
}

// maxZoneSpread: a number whose zones are further apart than this (a
// non-geographic +1 800/844 number maps to every NANP zone, Guam to
// Samoa) tells nothing about its owner's clock.
const maxZoneSpread = 4 * time.Hour

// TheirClockOf looks up n's likely zones.
func TheirClockOf(n E164) TheirClock {
	c := TheirClock{Number: n}
	p, err := phonenumbers.Parse(string(n), "")
	if err != nil {
		return c
	}
	names, err := phonenumbers.GetTimezonesForNumber(p)
	if err != nil {
		return c
	}
	for _, name := range names {
		if loc, err := cachedZone(name); err == nil && name != "Etc/Unknown" {
			c.Zones = append(c.Zones, loc)
		}
	}
	if lo, hi := c.offsets(time.Now()); hi-lo > maxZoneSpread {
		c.Zones = nil
	}
	return c
}

// zones keeps each zone loaded once: time.LoadLocation reads and parses
// the zone's rules from the embedded database on every call, which was
// most of the quiet-hours check every send makes.
var zones sync.Map // IANA name → *time.Location

func cachedZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		zones.Store(name, loc)
	}
	return loc, err
}

// Known reports whether the number maps to zones close enough to use.
func (c TheirClock) Known() bool { return len(c.Zones) > 0 }

// offsets is the smallest and largest UTC offset of the zones at t.
func (c TheirClock) offsets(t time.Time) (lo, hi time.Duration) {
	for i, z := range c.Zones {
		_, off := t.In(z).Zone()
		d := time.Duration(off) * time.Second
		if i == 0 || d < lo {
			lo = d
		}
		if i == 0 || d > hi {
			hi = d
		}
	}
	return lo, hi
}

// Earliest and Latest are t on the clocks of the zone furthest behind and
// furthest ahead.
func (c TheirClock) Earliest(t time.Time) time.Time { return c.extreme(t, -1) }

// Latest is t in the zone furthest ahead.
func (c TheirClock) Latest(t time.Time) time.Time { return c.extreme(t, 1) }

func (c TheirClock) extreme(t time.Time, sign int) time.Time {
	best := t.In(c.Zones[0])
	for _, z := range c.Zones[1:] {
		lt := t.In(z)
		_, a := best.Zone()
		_, b := lt.Zone()
		if (sign < 0 && b < a) || (sign > 0 && b > a) {
			best = lt
		}
	}
	return best
}

// ZoneNames names the zones, up to three, or how many there are.
func (c TheirClock) ZoneNames() string {
	if len(c.Zones) > 3 {
		return fmt.Sprintf("%d time zones", len(c.Zones))
	}
	names := make([]string, len(c.Zones))
	for i, z := range c.Zones {
		names[i] = z.String()
	}
	return strings.Join(names, ", ")
}

// Line is the context line of a header: "their time 9:14 pm
// (America/Chicago)", a range when the zones' clocks differ, "" when the
// number tells nothing.
func (c TheirClock) Line(t time.Time) string {
	if !c.Known() {
		return ""
	}
	a, b := c.Earliest(t), c.Latest(t)
	if a.Format("15:04") == b.Format("15:04") {
		return fmt.Sprintf("their time %s (%s)", clock12(a), c.ZoneNames())
	}
	return fmt.Sprintf("their time %s–%s (%s)", clock12(a), clock12(b), c.ZoneNames())
}

func clock12(t time.Time) string { return strings.ToLower(t.Format("3:04 pm")) }

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
		clock12(q.Local), q.Number, q.Clock.ZoneNames(), q.Window)
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

// TheirTime reads "9am" style wall-clock time in n's zone: the local
// time date's day at hh:mm on n's clock. It fails when n's zones disagree
// about the clock, so "their 9am" would be ambiguous.
func TheirTime(n E164, date time.Time, hh, mm int) (time.Time, error) {
	loc, err := TheirLocation(n, date)
	if err != nil {
		return time.Time{}, err
	}
	d := date.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, loc), nil
}

// QuietCheck is the quiet-hours check of a text to `to` arriving at t
// (QuietHours.Check with the configured window); nil when it may go.
func (b *Bridge) QuietCheck(to []E164, t time.Time) *Quiet { return b.cfg.Quiet.Check(to, t) }

// QuietWindow is the configured quiet hours.
func (b *Bridge) QuietWindow() QuietHours { return b.cfg.Quiet }

// TheirLocation is the zone "their time" is read in for n: its one zone,
// or an error when n's zones disagree about the clock at t or are unknown.
func TheirLocation(n E164, t time.Time) (*time.Location, error) {
	c := TheirClockOf(n)
	if !c.Known() {
		return nil, fmt.Errorf("%s does not say which time zone its owner is in; give the time in yours", n)
	}
	if lo, hi := c.offsets(t); lo != hi {
		return nil, fmt.Errorf("%s may be in several time zones (%s); give the time in yours", n, c.ZoneNames())
	}
	return c.Zones[0], nil
}

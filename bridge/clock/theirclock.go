package clock

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/smsbridge/smsbridge/bridge/domain"
)

// E164 is a phone number (domain.E164).
type E164 = domain.E164

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
		return fmt.Sprintf("their time %s (%s)", Clock12(a), c.ZoneNames())
	}
	return fmt.Sprintf("their time %s–%s (%s)", Clock12(a), Clock12(b), c.ZoneNames())
}

// Clock12 is t as a 12-hour clock reads it ("9:14 pm").
func Clock12(t time.Time) string { return strings.ToLower(t.Format("3:04 pm")) }

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

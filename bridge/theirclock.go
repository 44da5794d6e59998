package bridge

import (
	"time"

	"github.com/smsbridge/smsbridge/bridge/clock"
)

// The recipient's clock is package clock's: each number's likely zones,
// read from libphonenumber's data, and the quiet window (clock/quiet.go).
type (
	TheirClock = clock.TheirClock
	QuietHours = clock.QuietHours // when a text must not arrive unasked
	Quiet      = clock.Quiet      // a send that would arrive in quiet hours
)

var (
	DefaultQuietHours = clock.DefaultQuietHours
	QuietOff          = clock.QuietOff
	ParseQuietHours   = clock.ParseQuietHours
)

var (
	TheirClockOf  = clock.TheirClockOf  // n's likely zones
	TheirTime     = clock.TheirTime     // "9am" on n's clock
	TheirLocation = clock.TheirLocation // the one zone n's time is read in
)

// QuietCheck is the quiet-hours check of a text to `to` arriving at t
// (QuietHours.Check with the configured window); nil when it may go.
func (b *Bridge) QuietCheck(to []E164, t time.Time) *Quiet { return b.cfg.Quiet.Check(to, t) }

// QuietWindow is the configured quiet hours.
func (b *Bridge) QuietWindow() QuietHours { return b.cfg.Quiet }

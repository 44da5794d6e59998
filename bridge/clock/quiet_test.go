package clock

import (
	"strings"
	"testing"
	"time"
)

func TestQuietHoursHoldTheRecipientsNightOnTheirClock(t *testing.T) {
	q := DefaultQuietHours
	const chicago, tokyo = E164("+13125550123"), E164("+819012345678")
	for _, c := range []struct {
		at    string
		to    []E164
		quiet bool
		until string
	}{
		{"2026-12-02T02:30:00Z", []E164{chicago}, false, ""},                           // 20:30 CST on 12-01
		{"2026-12-02T03:00:00Z", []E164{chicago}, true, "2026-12-02T14:00:00Z"},        // 21:00 CST
		{"2026-12-02T14:00:00Z", []E164{chicago}, false, ""},                           // 08:00 CST
		{"2026-12-02T13:59:00Z", []E164{chicago}, true, "2026-12-02T14:00:00Z"},        // 07:59 CST
		{"2026-07-02T13:00:00Z", []E164{chicago}, false, ""},                           // 08:00 CDT
		{"2026-07-02T12:59:00Z", []E164{chicago}, true, "2026-07-02T13:00:00Z"},        // 07:59 CDT
		{"2026-12-02T15:00:00Z", []E164{chicago, tokyo}, true, "2026-12-02T23:00:00Z"}, // 09:00 CST, but 00:00 in Tokyo
		{"2026-12-02T03:00:00Z", []E164{"+18445550001"}, false, ""},                    // zone unknown: not held
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		got := q.Check(c.to, at)
		if (got != nil) != c.quiet {
			t.Errorf("Check(%v, %s) = %+v, want quiet %v", c.to, c.at, got, c.quiet)
			continue
		}
		if got == nil {
			continue
		}
		want, _ := time.Parse(time.RFC3339, c.until)
		if !got.Until.Equal(want) {
			t.Errorf("Check(%v, %s): until %s, want %s", c.to, c.at, got.Until.UTC(), c.until)
		}
		if !strings.Contains(got.Reason(), "quiet hours (21:00–08:00 their time)") {
			t.Errorf("reason: %s", got.Reason())
		}
	}
	off, _ := ParseQuietHours("off")
	if off.Check([]E164{chicago}, time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)) != nil {
		t.Error("quiet hours turned off still hold a send")
	}
	late, err := ParseQuietHours("22:30-07:00")
	if err != nil || late.Check([]E164{chicago}, time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)) != nil ||
		late.Check([]E164{chicago}, time.Date(2026, 12, 2, 4, 30, 0, 0, time.UTC)) == nil {
		t.Errorf("a changed window is not the one applied: %v", err)
	}
	for _, bad := range []string{"21-08", "21:00", "21:00-21:00", "night"} {
		if _, err := ParseQuietHours(bad); err == nil {
			t.Errorf("ParseQuietHours(%q) took it", bad)
		}
	}
}

// The quiet-hours check runs on every send: BenchmarkQuietCheck measures
// it for a text that may go (the common case) and one that is held (which
// also finds the end of the window).
func BenchmarkQuietCheck(b *testing.B) {
	to := []E164{"+13125550123"}
	for _, c := range []struct {
		name string
		at   time.Time
	}{{"day", time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)}, {"night", time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				DefaultQuietHours.Check(to, c.at)
			}
		})
	}
}

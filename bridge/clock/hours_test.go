package clock

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustWeek(t *testing.T, spec string) Week {
	t.Helper()
	w, err := ParseWeek(strings.Fields(spec))
	if err != nil {
		t.Fatalf("ParseWeek(%q): %v", spec, err)
	}
	return w
}

func TestParseWeekReadsWhatPeopleTypeAndWritesItBackShort(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"mon-fri 09:00-17:30", "mon-fri 09:00-17:30"},
		{"Mon-Fri 9:00-17:30 sat 10:00-14:00", "mon-fri 09:00-17:30, sat 10:00-14:00"},
		{"weekdays 09:00-12:00 13:00-17:00", "mon-fri 09:00-12:00 13:00-17:00"},
		{"mon,wed,fri 08:00-16:00", "mon 08:00-16:00, wed 08:00-16:00, fri 08:00-16:00"},
		{"fri-mon 10:00-24:00", "mon 10:00-24:00, fri-sun 10:00-24:00"},
		{"daily 00:00-24:00", "mon-sun 00:00-24:00"},
		{"mon-fri 09:00-17:00, sat 10:00-12:00", "mon-fri 09:00-17:00, sat 10:00-12:00"},
	} {
		w := mustWeek(t, c.in)
		if got := w.String(); got != c.want {
			t.Errorf("ParseWeek(%q).String() = %q, want %q", c.in, got, c.want)
		}
		if again := mustWeek(t, w.String()); again.String() != w.String() {
			t.Errorf("%q does not read back as the same week", w.String())
		}
	}
}

func TestParseWeekRefusesMalformedHoursInWords(t *testing.T) {
	for _, c := range []struct{ in, why string }{
		{"", "no days given"},
		{"09:00-17:00", "before any days"},
		{"mon-fri", "no opening time"},
		{"mon-fri sat 10:00-12:00", "have no opening time"},
		{"mon-fry 09:00-17:00", `"mon-fry" is not a day`},
		{"mon 9am-5pm", "not a time of day"},
		{"mon 09:00", "not an opening time"},
		{"mon 17:00-09:00", "closes before it opens"},
		{"mon 09:00-25:00", "not a time of day"},
		{"mon 09:60-10:00", "not a time of day"},
	} {
		_, err := ParseWeek(strings.Fields(c.in))
		if !errors.Is(err, ErrWeek) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseWeek(%q) = %v, want an ErrWeek saying %q", c.in, err, c.why)
		}
	}
}

func nyHours(t *testing.T, spec string, holidays ...string) *Hours {
	t.Helper()
	loc, err := LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return &Hours{Our: "+18445550001", Week: mustWeek(t, spec), Loc: loc, Holidays: holidays}
}

func TestHoursIsOpenInTheirZoneOnBothSidesOfDaylightSaving(t *testing.T) {
	h := nyHours(t, "mon-fri 09:00-17:30", "2026-12-25")
	for _, c := range []struct {
		at   string
		open bool
	}{
		{"2026-03-06T14:00:00Z", true},  // Fri 09:00 EST (UTC-5)
		{"2026-03-06T13:59:59Z", false}, // Fri 08:59:59 EST
		{"2026-03-09T13:00:00Z", true},  // Mon 09:00 EDT (UTC-4) after the change on 03-08
		{"2026-03-09T12:59:00Z", false}, // Mon 08:59 EDT
		{"2026-03-09T21:29:00Z", true},  // Mon 17:29 EDT
		{"2026-03-09T21:30:00Z", false}, // Mon 17:30 EDT: closed
		{"2026-03-07T16:00:00Z", false}, // Saturday
		{"2026-10-30T13:00:00Z", true},  // Fri 09:00 EDT before the change on 11-01
		{"2026-11-02T13:00:00Z", false}, // Mon 08:00 EST after it
		{"2026-11-02T14:00:00Z", true},  // Mon 09:00 EST
		{"2026-12-25T15:00:00Z", false}, // a Friday, but a holiday
		{"2026-12-24T15:00:00Z", true},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := h.IsOpen(at); got != c.open {
			t.Errorf("IsOpen(%s = %s) = %v, want %v", c.at, at.In(h.Loc).Format("Mon 15:04 MST"), got, c.open)
		}
	}
	if !(&Hours{Loc: time.UTC}).IsOpen(time.Now()) {
		t.Error("a number with no hours set is closed")
	}
}

func TestNextOpenSkipsNightsWeekendsAndHolidays(t *testing.T) {
	h := nyHours(t, "mon-fri 09:00-17:30", "2026-12-28")
	for _, c := range []struct{ at, want string }{
		{"2026-12-01T23:00:00Z", "2026-12-02T14:00:00Z"}, // Tue 18:00 EST → Wed 09:00
		{"2026-12-26T15:00:00Z", "2026-12-29T14:00:00Z"}, // Saturday; Monday a holiday → Tuesday
		{"2026-12-02T15:00:00Z", "2026-12-02T15:00:00Z"}, // open now
		{"2026-03-07T15:00:00Z", "2026-03-09T13:00:00Z"}, // Sat before the change → Mon 09:00 EDT
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		want, _ := time.Parse(time.RFC3339, c.want)
		got, ok := h.NextOpen(at)
		if !ok || !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %s %v, want %s", c.at, got.UTC().Format(time.RFC3339), ok, c.want)
		}
	}
}

func TestOpenDurationCountsOnlyOpenTimeAcrossWeekendsAndDaylightSaving(t *testing.T) {
	h := nyHours(t, "mon-fri 09:00-17:00")
	for _, c := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-12-04T21:00:00Z", "2026-12-07T14:30:00Z", 90 * time.Minute}, // Fri 16:00 EST → Mon 09:30: 1 h + 30 min
		{"2026-12-05T12:00:00Z", "2026-12-06T12:00:00Z", 0},                // a Saturday
		{"2026-03-06T14:00:00Z", "2026-03-09T22:00:00Z", 16 * time.Hour},   // Fri all day + Mon all day, across the change
		{"2026-10-30T13:00:00Z", "2026-11-02T22:00:00Z", 16 * time.Hour},   // the same across the change back
		{"2026-12-07T14:00:00Z", "2026-12-14T14:00:00Z", 40 * time.Hour},   // a week
		{"2026-12-07T15:00:00Z", "2026-12-07T15:00:00Z", 0},                // nothing
		{"2026-12-07T16:00:00Z", "2026-12-07T15:00:00Z", 0},                // backwards
	} {
		from, _ := time.Parse(time.RFC3339, c.from)
		to, _ := time.Parse(time.RFC3339, c.to)
		if got := h.OpenDuration(from, to); got != c.want {
			t.Errorf("OpenDuration(%s, %s) = %s, want %s", c.from, c.to, got, c.want)
		}
	}
	always := &Hours{Loc: time.UTC}
	if got := always.OpenDuration(time.Unix(0, 0), time.Unix(3600, 0)); got != time.Hour {
		t.Errorf("no hours set: OpenDuration = %s, want all of it", got)
	}
}

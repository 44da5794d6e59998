package clock

import (
	"strings"
	"testing"
	"time"
)

func TestTheirClockFromTheNumberInSeveralCountries(t *testing.T) {
	at := time.Date(2026, 12, 1, 20, 14, 0, 0, time.UTC)
	for _, c := range []struct {
		country string
		number  E164
		zones   string
		line    string
	}{
		{"US, Chicago", "+13125550123", "America/Chicago", "their time 2:14 pm (America/Chicago)"},
		{"US, New York", "+12125550123", "America/New_York", "their time 3:14 pm (America/New_York)"},
		{"UK, London landline", "+442071234567", "Europe/London", "their time 8:14 pm (Europe/London)"},
		{"UK mobile", "+447911123456", "Europe/Guernsey, Europe/Isle_of_Man, Europe/London", "their time 8:14 pm (Europe/Guernsey, Europe/Isle_of_Man, Europe/London)"},
		{"Germany, mobile", "+4915123456789", "Europe/Berlin", "their time 9:14 pm (Europe/Berlin)"},
		{"Germany, Berlin", "+493012345678", "Europe/Berlin", "their time 9:14 pm (Europe/Berlin)"},
		{"Australia, Sydney (summer time)", "+61212345678", "Australia/Sydney", "their time 7:14 am (Australia/Sydney)"},
		{"Brazil, São Paulo", "+5511987654321", "America/Sao_Paulo", "their time 5:14 pm (America/Sao_Paulo)"},
		{"Brazil, Manaus", "+5592987654321", "America/Manaus", "their time 4:14 pm (America/Manaus)"},
		{"India", "+919812345678", "Asia/Calcutta", "their time 1:44 am (Asia/Calcutta)"},
		{"Japan", "+819012345678", "Asia/Tokyo", "their time 5:14 am (Asia/Tokyo)"},
		{"US toll-free: every NANP zone, so unknown", "+18445550001", "", ""},
		{"not a number", "+999", "", ""},
	} {
		clock := TheirClockOf(c.number)
		if got := clock.ZoneNames(); got != c.zones {
			t.Errorf("%s %s: zones %q, want %q", c.country, c.number, got, c.zones)
		}
		if got := clock.Line(at); got != c.line {
			t.Errorf("%s %s: line %q, want %q", c.country, c.number, got, c.line)
		}
	}
}

func TestTheirClockOfAUSNumberAcrossDaylightSavingChanges(t *testing.T) {
	const chicago = E164("+13125550123")
	for _, c := range []struct{ utc, local string }{
		{"2026-03-08T07:59:00Z", "2026-03-08 01:59 CST"}, // the minute before the change (02:00 CST)
		{"2026-03-08T08:00:00Z", "2026-03-08 03:00 CDT"}, // the clocks skip an hour
		{"2026-03-09T14:00:00Z", "2026-03-09 09:00 CDT"},
		{"2026-03-07T14:00:00Z", "2026-03-07 08:00 CST"},
		{"2026-11-01T06:59:00Z", "2026-11-01 01:59 CDT"}, // before the change back (02:00 CDT)
		{"2026-11-01T07:00:00Z", "2026-11-01 01:00 CST"}, // the hour repeats
		{"2026-11-02T15:00:00Z", "2026-11-02 09:00 CST"},
	} {
		at, _ := time.Parse(time.RFC3339, c.utc)
		if got := TheirClockOf(chicago).Earliest(at).Format("2006-01-02 15:04 MST"); got != c.local {
			t.Errorf("%s in Chicago = %s, want %s", c.utc, got, c.local)
		}
	}
	// "their 9am" on both sides of each change is 9:00 on their clock.
	for _, c := range []struct{ day, utc string }{
		{"2026-03-06", "2026-03-06T15:00:00Z"}, {"2026-03-09", "2026-03-09T14:00:00Z"},
		{"2026-10-30", "2026-10-30T14:00:00Z"}, {"2026-11-02", "2026-11-02T15:00:00Z"},
	} {
		day, _ := time.Parse(time.DateOnly, c.day)
		got, err := TheirTime(chicago, day.Add(18*time.Hour), 9, 0)
		want, _ := time.Parse(time.RFC3339, c.utc)
		if err != nil || !got.Equal(want) {
			t.Errorf("their 9am on %s = %s %v, want %s", c.day, got.UTC(), err, c.utc)
		}
	}
	if _, err := TheirTime("+18445550001", time.Now(), 9, 0); err == nil || !strings.Contains(err.Error(), "give the time in yours") {
		t.Errorf("their time of a number with no zone: %v", err)
	}
}

package phone

import (
	"errors"
	"testing"
)

func TestNormalizeE164(t *testing.T) {
	good := []struct{ in, region, want string }{
		{"(312) 555-0123", "US", "+13125550123"},
		{"312.555.0123", "US", "+13125550123"},
		{"312-555-0123", "US", "+13125550123"},
		{"3125550123", "US", "+13125550123"},
		{"1 312 555 0123", "US", "+13125550123"},
		{"+1 312 555 0123", "US", "+13125550123"},
		{"+1 (312) 555-0123", "GB", "+13125550123"}, // a + overrides the region
		{"  +13125550123  ", "", "+13125550123"},
		{"0044 20 7946 0958", "GB", "+442079460958"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"+44 (0)20 7946 0958", "US", "+442079460958"},
		{"07911 123456", "gb", "+447911123456"},
		{"030 1234567", "DE", "+49301234567"},
		{"01 23 45 67 89", "FR", "+33123456789"},
		{"1-800-FLOWERS", "US", "+18003569377"},
		{"011 44 20 7946 0958", "US", "+442079460958"},
	}
	for _, tc := range good {
		got, err := NormalizeE164(tc.in, tc.region)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeE164(%q, %q) = %q, %v; want %q", tc.in, tc.region, got, err, tc.want)
		}
	}
	bad := []struct{ in, region string }{
		{"", "US"},
		{"   ", "US"},
		{"hello", "US"},
		{"12345", "US"},                // too short
		{"+1 555 555 5555", "US"},      // 555 is not an area code
		{"312 555 0123 4567 89", "US"}, // too long
		{"3125550123", ""},             // no country code, no region
		{"3125550123", "XX"},           // unknown region
		{"+999 1234 5678", ""},         // no such country code
	}
	for _, tc := range bad {
		got, err := NormalizeE164(tc.in, tc.region)
		if err == nil {
			t.Errorf("NormalizeE164(%q, %q) = %q, want an error", tc.in, tc.region, got)
			continue
		}
		if !errors.Is(err, ErrInvalidNumber) {
			t.Errorf("NormalizeE164(%q, %q): error %v does not wrap ErrInvalidNumber", tc.in, tc.region, err)
		}
	}
}

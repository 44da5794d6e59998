package domain

import (
	"errors"
	"testing"
)

func TestParseE164AcceptsOnlyE164(t *testing.T) {
	for _, ok := range []string{"+13125550123", "+442079460958", "+8613800138000", "+1234567"} {
		if n, err := ParseE164(ok); err != nil || string(n) != ok {
			t.Errorf("ParseE164(%q) = %q, %v", ok, n, err)
		}
	}
	for _, bad := range []string{"", "13125550123", "+1 312 555 0123", "+0123456789", "+123456", "+1234567890123456",
		"+13125550191,+13125550192", "<!channel>", "not-a-number", "MyShop", "12345"} {
		if _, err := ParseE164(bad); !errors.Is(err, ErrNotE164) {
			t.Errorf("ParseE164(%q) = %v, want ErrNotE164", bad, err)
		}
	}
}

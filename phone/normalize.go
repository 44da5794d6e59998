package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalidNumber is returned (wrapped) by NormalizeE164 for input that is
// not a valid phone number.
var ErrInvalidNumber = errors.New("not a valid phone number")

// NormalizeE164 turns a phone number in any common written form into E.164
// ("+13125550123"): "(312) 555-0123", "312.555.0123", "+1 312 555 0123",
// "0044 20 7946 0958" (with defaultRegion "GB"), vanity letters, and so on.
// defaultRegion (ISO 3166-1 alpha-2, e.g. "US") is used for numbers written
// without a country code. Numbers that libphonenumber does not consider
// valid for their region are rejected with ErrInvalidNumber.
func NormalizeE164(s string, defaultRegion string) (string, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidNumber)
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", fmt.Errorf("%w: unknown region %q", ErrInvalidNumber, defaultRegion)
	}
	n, err := phonenumbers.Parse(in, region)
	if err != nil {
		if region == "" && !strings.HasPrefix(in, "+") {
			return "", fmt.Errorf("%w: %q has no country code and no default region was given", ErrInvalidNumber, in)
		}
		return "", fmt.Errorf("%w: %q: %v", ErrInvalidNumber, in, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%w: %q is not a valid number for %s", ErrInvalidNumber, in, regionName(n))
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func regionName(n *phonenumbers.PhoneNumber) string {
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" && r != "ZZ" {
		return r
	}
	return fmt.Sprintf("country code +%d", n.GetCountryCode())
}

package domain

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// E164 is a phone number in E.164 form ("+13125550123"). Numbers read from
// outside (settings, typed by people, webhooks) are made with ParseE164 or
// phone.NormalizeE164; a conversion from a stored column is a cast, since
// only checked numbers are stored.
type E164 string

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// ErrNotE164 is what ParseE164 refuses.
var ErrNotE164 = errors.New("not a phone number in E.164 form (+ and 7 to 15 digits)")

// ParseE164 checks that s is a number in E.164 form.
func ParseE164(s string) (E164, error) {
	if !e164RE.MatchString(s) {
		return "", fmt.Errorf("%q: %w", s, ErrNotE164)
	}
	return E164(s), nil
}

// RemoteKey is the stored form of a remote set: sorted, comma-joined.
func RemoteKey(remotes []E164) string {
	s := make([]string, len(remotes))
	for i, r := range remotes {
		s[i] = string(r)
	}
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

// Remotes splits a RemoteKey.
func Remotes(key string) []E164 {
	var out []E164
	for _, s := range strings.Split(key, ",") {
		if s != "" {
			out = append(out, E164(s))
		}
	}
	return out
}

// E164Strings is ns as strings, as the store keeps numbers.
func E164Strings(ns []E164) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n)
	}
	return out
}

package phone

import "regexp"

// MaxGroupRecipients is how many destinations a group MMS may have besides
// the sender: the spec's /messages/group_mms says "No more than 8
// destinations are allowed". A group conversation is us plus at most this
// many others.
const MaxGroupRecipients = 8

var (
	// E.164: a plus, a country code not starting with 0, at most 15 digits
	// in all. Syntax only: libphonenumber's idea of a valid number lags
	// new ranges, and refusing a real text loses it.
	e164Re = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	// Short codes are 3 to 6 digits (US and Canada use 5 and 6).
	shortCodeRe = regexp.MustCompile(`^[0-9]{3,6}$`)
	// Alphanumeric sender IDs: 1 to 11 letters, digits and spaces, with a
	// letter (DESIGN.md; the spec allows them as a sender only).
	alphaSenderRe = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	hasLetterRe   = regexp.MustCompile(`[A-Za-z]`)
)

// IsAddress reports whether s is something Telnyx sends to: an E.164
// number or a short code.
func IsAddress(s string) bool { return e164Re.MatchString(s) || shortCodeRe.MatchString(s) }

// IsSender reports whether s is something Telnyx sends from: an address or
// an alphanumeric sender ID.
func IsSender(s string) bool {
	return IsAddress(s) || (alphaSenderRe.MatchString(s) && hasLetterRe.MatchString(s))
}

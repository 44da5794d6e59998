package telnyx

import (
	"fmt"
	"regexp"
)

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

// validateMessage checks what a message event needs before it is stored:
// an id, a sender and a recipient for a received text, and that every
// number present is one Telnyx can send from or to, in a group no larger
// than Telnyx allows. A webhook that fails is answered 400 and not stored:
// a text in that shape could never be shown or answered.
func validateMessage(typ string, p *Message) error {
	if p.ID == "" {
		return fmt.Errorf("%w: payload.id is required", ErrMalformed)
	}
	if typ == EventMessageReceived {
		if p.From.PhoneNumber == "" {
			return fmt.Errorf("%w: payload.from.phone_number is required", ErrMalformed)
		}
		if len(p.To) == 0 || p.To[0].PhoneNumber == "" {
			return fmt.Errorf("%w: payload.to needs our number", ErrMalformed)
		}
	}
	// An outbound group may list its recipients in to and again in cc, so
	// the raw count is bounded loosely and the distinct parties exactly.
	if n := len(p.To) + len(p.Cc); n > 2*(MaxGroupRecipients+1) {
		return fmt.Errorf("%w: %d entries in to and cc; a group has at most %d besides the sender", ErrMalformed, n, MaxGroupRecipients)
	}
	if f := p.From.PhoneNumber; f != "" && !IsSender(f) {
		return fmt.Errorf("%w: payload.from.phone_number is not an E.164 number, short code or alphanumeric sender ID", ErrMalformed)
	}
	distinct := map[string]bool{}
	if p.From.PhoneNumber != "" {
		distinct[p.From.PhoneNumber] = true
	}
	for _, f := range []struct {
		name    string
		parties []MessageParty
	}{{"to", p.To}, {"cc", p.Cc}} {
		field := f.name
		for i, t := range f.parties {
			if !IsAddress(t.PhoneNumber) {
				return fmt.Errorf("%w: payload.%s[%d].phone_number is not an E.164 number or short code", ErrMalformed, field, i)
			}
			distinct[t.PhoneNumber] = true
		}
	}
	if len(distinct) > MaxGroupRecipients+1 {
		return fmt.Errorf("%w: %d parties; a group has at most %d besides the sender", ErrMalformed, len(distinct), MaxGroupRecipients)
	}
	return nil
}

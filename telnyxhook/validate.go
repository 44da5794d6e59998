package telnyxhook

import (
	"fmt"

	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/telnyx"
)

// validateMessage checks what a message event needs before it is stored:
// an id, a sender and a recipient for a received text, and that every
// number present is one Telnyx can send from or to, in a group no larger
// than Telnyx allows. A webhook that fails is answered 400 and not stored:
// a text in that shape could never be shown or answered.
func validateMessage(typ string, p *telnyx.Message) error {
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
	if n := len(p.To) + len(p.Cc); n > 2*(phone.MaxGroupRecipients+1) {
		return fmt.Errorf("%w: %d entries in to and cc; a group has at most %d besides the sender", ErrMalformed, n, phone.MaxGroupRecipients)
	}
	if f := p.From.PhoneNumber; f != "" && !phone.IsSender(f) {
		return fmt.Errorf("%w: payload.from.phone_number is not an E.164 number, short code or alphanumeric sender ID", ErrMalformed)
	}
	distinct := map[string]bool{}
	if p.From.PhoneNumber != "" {
		distinct[p.From.PhoneNumber] = true
	}
	for _, f := range []struct {
		name    string
		parties []telnyx.MessageParty
	}{{"to", p.To}, {"cc", p.Cc}} {
		field := f.name
		for i, t := range f.parties {
			if !phone.IsAddress(t.PhoneNumber) {
				return fmt.Errorf("%w: payload.%s[%d].phone_number is not an E.164 number or short code", ErrMalformed, field, i)
			}
			distinct[t.PhoneNumber] = true
		}
	}
	if len(distinct) > phone.MaxGroupRecipients+1 {
		return fmt.Errorf("%w: %d parties; a group has at most %d besides the sender", ErrMalformed, len(distinct), phone.MaxGroupRecipients)
	}
	return nil
}

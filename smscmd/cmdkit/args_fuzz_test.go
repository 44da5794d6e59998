package cmdkit

import (
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/slackin"
)

// FuzzSMSArgs feeds the /sms argument readers (flags, senders, recipients)
// arbitrary text. They must not panic, and what they accept must be
// something Telnyx can send from or to.
//
//	go test -run '^$' -fuzz=FuzzSMSArgs -fuzztime=60s ./smscmd/cmdkit
func FuzzSMSArgs(f *testing.F) {
	for _, s := range []string{
		"+13125550123 hi", "(312) 555-0123 On our way!", "--from +18445550001 +13125550123 hi",
		"--from ACME +13125550123 hi", "--from 24273 +13125550123 hi", "--pool +13125550123 hi",
		"--media https://x.example/a.png +13125550123 hi", "+13125550191,+13125550192 hi",
		"<tel:+13125550123|+1 312 555 0123> hi", "<!channel> hi", "not-a-number hi", "--from <!channel> x",
		`"quoted text" +1`, "--from", "--media", "--bogus", "", "&lt;!channel&gt;",
		strings.Repeat("+13125550100,", 5000) + " hi",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, rest, err := ParseFlags(s, "US", true)
		if err == nil && o.From != "" && !phone.IsSender(string(o.From)) {
			t.Fatalf("--from accepted %q", o.From)
		}
		for _, multi := range []bool{false, true} {
			nums, _, err := TakeNumbers(rest, "US", multi)
			if err != nil {
				continue
			}
			for _, n := range nums {
				if !phone.IsAddress(string(n)) || !strings.HasPrefix(string(n), "+") {
					t.Fatalf("recipient %q accepted from %q", n, rest)
				}
			}
		}
		slackin.SplitArgs(s)
		Unslack(s)
	})
}

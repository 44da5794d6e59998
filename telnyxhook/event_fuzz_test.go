package telnyxhook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/telnyx"
)

// FuzzParseWebhook feeds ParseWebhook arbitrary bodies. Whatever it accepts
// must be safe to store and act on: an event id or a link click, and in a
// message every party something Telnyx can send from or to, in a group no
// larger than Telnyx allows, with a received text's sender and our number.
//
//	go test -fuzz=FuzzParseWebhook -fuzztime=60s ./telnyxhook
func FuzzParseWebhook(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("..", "telnyx", "testdata", "webhooks", "*.json"))
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	cc := make([]string, 5000)
	for i := range cc {
		cc[i] = `{"phone_number":"+13125550100"}`
	}
	msg := func(payload string) []byte {
		return []byte(`{"data":{"event_type":"message.received","id":"e-1","payload":` + payload + `}}`)
	}
	for _, seed := range [][]byte{
		msg(`{"id":"m","from":{"phone_number":"+13125550191,+13125550192"},"to":[{"phone_number":"+18445550001"}]}`),
		msg(`{"id":"m","from":{"phone_number":"<!channel>"},"to":[{"phone_number":"+18445550001"}]}`),
		msg(`{"id":"m","from":{"phone_number":"not-a-number"},"to":[{"phone_number":"+18445550001"}]}`),
		msg(`{"id":"m","from":{"phone_number":"+13125550123"},"to":[{"phone_number":"+18445550001"}],"cc":[` + strings.Join(cc, ",") + `]}`),
		msg(`{"id":"m","from":{"phone_number":"ACME"},"to":[{"phone_number":"24273"}]}`),
		msg(`null`),
		msg(`{"id":"m"}`),
		msg(`{"id":"m","from":{"phone_number":"+13125550123"},"to":[]}`),
		[]byte(`{"data":{"event_type":"message.received","id":"e-1"}}`),
		[]byte(`{"data":{"record_type":"link_clicked","message_id":"m","url":"https://x"}}`),
		[]byte(`{"data":{"event_type":"number.order.complete","id":"u-1","payload":{}}}`),
		[]byte(`{"data":`),
		[]byte(``),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseWebhook(body)
		if err != nil {
			return
		}
		if ev.DedupKey() == "" {
			t.Fatalf("accepted an event with nothing to deduplicate it by: %+v", ev)
		}
		if actedOn(ev.Type) && ev.Message == nil {
			t.Fatalf("accepted %s without its message", ev.Type)
		}
		p := ev.Message
		if p == nil {
			return
		}
		if ev.Type == EventMessageReceived && (p.From.PhoneNumber == "" || len(p.To) == 0) {
			t.Fatalf("accepted a text without sender or recipient: %+v", p)
		}
		if f := p.From.PhoneNumber; f != "" && !phone.IsSender(f) {
			t.Fatalf("accepted sender %q", f)
		}
		parties := map[string]bool{p.From.PhoneNumber: true}
		for _, x := range append(append([]telnyx.MessageParty{}, p.To...), p.Cc...) {
			if !phone.IsAddress(x.PhoneNumber) {
				t.Fatalf("accepted recipient %q", x.PhoneNumber)
			}
			parties[x.PhoneNumber] = true
		}
		if len(parties) > phone.MaxGroupRecipients+1 {
			t.Fatalf("accepted a group of %d", len(parties))
		}
	})
}

package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// Phones: any number of simulated phones text our numbers through the
// carrier (signed message.received webhooks, MMS pictures served by the
// carrier on loopback) and see what the team sent them, with its
// delivery state as the carrier reports it.

// stamp orders a phone's messages as text (fixed width, so it sorts).
const stamp = "2006-01-02T15:04:05.000000Z"

// maxPicture bounds a picture a phone sends (carriers take about 1 MB).
const maxPicture = 1 << 20

// Picture is a file a phone attaches to an MMS.
type Picture struct {
	Name, ContentType string
	Body              []byte
}

// PhoneText is what a phone sends: to one of our numbers, with the other
// members of a group MMS in CC.
type PhoneText struct {
	From, To string
	CC       []string
	Text     string
	Pictures []Picture
}

// AddPhone adds a simulated phone; it must be an E.164 number.
func (s *Sandbox) AddPhone(number string) error {
	number = strings.TrimSpace(number)
	if !validE164(number) {
		return fmt.Errorf("%q is not a phone number in E.164 form, such as +13125550123", number)
	}
	s.mu.Lock()
	if !slices.Contains(s.phones, number) {
		s.phones = append(s.phones, number)
	}
	s.mu.Unlock()
	s.hub.changed()
	return nil
}

func validE164(n string) bool {
	if len(n) < 8 || len(n) > 16 || n[0] != '+' || n[1] == '0' {
		return false
	}
	for _, r := range n[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Send delivers a phone's text to our number through the carrier.
func (s *Sandbox) Send(ctx context.Context, t PhoneText) error {
	if err := s.AddPhone(t.From); err != nil {
		return err
	}
	if strings.TrimSpace(t.Text) == "" && len(t.Pictures) == 0 {
		return fmt.Errorf("write a text or attach a picture")
	}
	in := faketelnyx.Inbound{From: t.From, To: t.To, CC: t.CC, Text: t.Text}
	var shown []string
	for _, p := range t.Pictures {
		if len(p.Body) > maxPicture {
			return fmt.Errorf("%s is %d KB; carriers take pictures of about 1 MB at most", p.Name, len(p.Body)>>10)
		}
		ct := p.ContentType
		if ct == "" {
			ct = http.DetectContentType(p.Body)
		}
		in.Media = append(in.Media, faketelnyx.InboundMedia{ContentType: ct, Body: p.Body})
		shown = append(shown, "data:"+ct+";base64,"+base64.StdEncoding.EncodeToString(p.Body))
	}
	status, err := s.Carrier.Receive(ctx, in)
	if err != nil {
		return fmt.Errorf("the service could not be reached: %v", err)
	}
	s.mu.Lock()
	s.seq++
	s.inbound = append(s.inbound, phoneText{Seq: s.seq, From: t.From, To: t.To, CC: t.CC, Text: t.Text,
		Media: shown, Status: status, At: time.Now().UTC().Format(stamp)})
	s.mu.Unlock()
	s.hub.changed()
	if status != http.StatusOK {
		return fmt.Errorf("the service answered the webhook with %d", status)
	}
	return nil
}

// FailDelivery makes the carrier fail (or again deliver) texts to number.
func (s *Sandbox) FailDelivery(number string, fail bool) {
	s.Carrier.FailDeliveryTo(number, fail)
}

// phoneMessage is one line of a phone's conversation on the page.
type phoneMessage struct {
	Dir    string   `json:"dir"` // "in": the phone sent it; "out": the team did
	Our    string   `json:"our"` // our number
	Others []string `json:"others,omitempty"`
	Text   string   `json:"text"`
	Media  []string `json:"media,omitempty"`
	Status string   `json:"status"`
	Error  string   `json:"error,omitempty"`
	At     string   `json:"at"`
}

type phoneView struct {
	Number   string         `json:"number"`
	Fails    bool           `json:"fails"`
	Blocked  bool           `json:"blocked"` // opted out at the carrier (STOP)
	Messages []phoneMessage `json:"messages"`
}

// phonesView is every phone with its conversation, oldest first.
func (s *Sandbox) phonesView() []phoneView {
	sent := s.Carrier.Sent()
	s.mu.Lock()
	phones, inbound := slices.Clone(s.phones), slices.Clone(s.inbound)
	s.mu.Unlock()
	out := make([]phoneView, 0, len(phones))
	for _, p := range phones {
		v := phoneView{Number: p, Fails: s.Carrier.FailsDeliveryTo(p), Blocked: s.Carrier.CarrierBlocked(faketelnyx.DefaultProfileID, p),
			Messages: []phoneMessage{}} // [] for the page, not null
		for _, in := range inbound {
			if in.From == p || slices.Contains(in.CC, p) {
				status := "delivered"
				if in.Status != http.StatusOK {
					status = fmt.Sprintf("refused (%d)", in.Status)
				}
				v.Messages = append(v.Messages, phoneMessage{Dir: "in", Our: in.To, Others: others(append([]string{in.From}, in.CC...), p),
					Text: in.Text, Media: in.Media, Status: status, At: in.At})
			}
		}
		for _, m := range sent {
			if pm, ok := sentTo(m, p); ok {
				v.Messages = append(v.Messages, pm)
			}
		}
		slices.SortStableFunc(v.Messages, func(a, b phoneMessage) int { return strings.Compare(a.At, b.At) })
		out = append(out, v)
	}
	return out
}

func others(all []string, me string) []string {
	var out []string
	for _, n := range all {
		if n != me {
			out = append(out, n)
		}
	}
	return out
}

// sentTo is the carrier's message m as phone p received it, if p was a recipient.
func sentTo(m map[string]any, p string) (phoneMessage, bool) {
	tos, _ := m["to"].([]any)
	var all []string
	status := ""
	for _, t := range tos {
		to, _ := t.(map[string]any)
		n, _ := to["phone_number"].(string)
		all = append(all, n)
		if n == p {
			status, _ = to["status"].(string)
		}
	}
	if status == "" {
		return phoneMessage{}, false
	}
	from, _ := m["from"].(map[string]any)
	pm := phoneMessage{Dir: "out", Others: others(all, p), Status: status}
	pm.Our, _ = from["phone_number"].(string)
	pm.Text, _ = m["text"].(string)
	if at, _ := m["received_at"].(string); at != "" {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			pm.At = t.UTC().Format(stamp)
		}
	}
	if media, ok := m["media"].([]any); ok {
		for _, x := range media {
			if mm, ok := x.(map[string]any); ok {
				u, _ := mm["url"].(string)
				pm.Media = append(pm.Media, u)
			}
		}
	}
	if errs, ok := m["errors"].([]any); ok && len(errs) > 0 {
		if e, ok := errs[0].(map[string]any); ok {
			pm.Error = fmt.Sprintf("%v %v", e["code"], e["title"])
		}
	}
	return pm, true
}

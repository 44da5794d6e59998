package main

import (
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/sandbox"
)

// lastSentTo is the carrier's latest send to phone: its text, status and
// first error code ("" when none).
func (rs *runningSandbox) lastSentTo(phone string) (text, status, code string) {
	for _, m := range rs.sb.Carrier.Sent() {
		to := m["to"].([]any)[0].(map[string]any)
		if to["phone_number"] != phone {
			continue
		}
		text, _ = m["text"].(string)
		status, _ = to["status"].(string)
		code = ""
		if errs, _ := m["errors"].([]any); len(errs) > 0 {
			code, _ = errs[0].(map[string]any)["code"].(string)
		}
	}
	return text, status, code
}

// headerFor is the inbox header of the conversation between phone and our
// number, once it shows the phone's text: a conversation's first texts
// ride in its header (coalescing), later ones in its thread.
func (rs *runningSandbox) headerFor(t *testing.T, phone, ours, text string) recorded.Message {
	t.Helper()
	var head recorded.Message
	// The header names both numbers as the page shows them (+1 312-555-0100).
	pretty := func(n string) string { return "+1 " + n[2:5] + "-" + n[5:8] + "-" + n[8:] }
	rs.await(t, "the header for "+phone+" on "+ours, func() bool {
		for _, m := range rs.sb.Slack.Messages(sandbox.Channel) {
			if s := m.Text + m.BlockText(); strings.Contains(s, pretty(phone)) && strings.Contains(s, pretty(ours)) {
				head = m
				return strings.Contains(s, text) || rs.threadSays(m.TS, text)
			}
		}
		return false
	})
	return head
}

func (rs *runningSandbox) threadSays(ts, want string) bool {
	for _, r := range rs.sb.Slack.ThreadReplies(sandbox.Channel, ts) {
		if strings.Contains(r.Text+r.BlockText(), want) {
			return true
		}
	}
	return false
}

// TestSandboxCarrierFailsDeliveryWhereSet: the page's "carrier fails
// delivery to this phone" makes the simulated carrier report a reply to
// it delivery_failed (40008, as Telnyx does), the phone shows it so and
// the thread says so; set back, the next reply is delivered.
func TestSandboxCarrierFailsDeliveryWhereSet(t *testing.T) {
	rs := startSandbox(t, nil)
	phone, ours := "+13125550101", "+18445550001"
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": ours, "text": "Call me back?"})
	head := rs.headerFor(t, phone, ours, "Call me back?")
	rs.post(t, "/api/phone/fail", map[string]any{"number": phone, "fail": true})
	rs.post(t, "/api/slack/say", map[string]any{"thread_ts": head.TS, "text": "Calling in five."})
	rs.await(t, "the reply reported delivery_failed", func() bool {
		_, status, code := rs.lastSentTo(phone)
		return status == "delivery_failed" && code == "40008"
	})
	rs.await(t, "the thread told of the failure", func() bool { return rs.threadSays(head.TS, "40008") })
	var shown string
	for _, p := range rs.sb.State().Phones {
		if p.Number == phone {
			if !p.Fails {
				t.Error("the page does not show the phone set to fail")
			}
			for _, m := range p.Messages {
				if m.Dir == "out" {
					shown = m.Status + " " + m.Error
				}
			}
		}
	}
	if !strings.Contains(shown, "delivery_failed") || !strings.Contains(shown, "40008") {
		t.Errorf("the phone shows the reply as %q, want delivery_failed with 40008", shown)
	}
	rs.post(t, "/api/phone/fail", map[string]any{"number": phone, "fail": false})
	rs.post(t, "/api/slack/say", map[string]any{"thread_ts": head.TS, "text": "Or now."})
	rs.await(t, "the next reply delivered", func() bool {
		text, status, _ := rs.lastSentTo(phone)
		return text == "Or now." && status == "delivered"
	})
}

// TestSandboxCarrierRefuses40300AfterSTOP: a STOP to one of our numbers
// opts the phone out at the carrier for the whole messaging profile, as
// Telnyx does. A reply from our other number, in a conversation the STOP
// was not sent in, is refused by the carrier with 40300 and the thread
// says so; START lifts it.
func TestSandboxCarrierRefuses40300AfterSTOP(t *testing.T) {
	rs := startSandbox(t, nil)
	phone, first, second := "+13125550102", "+18445550001", "+18445550002"
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": second, "text": "Is this the shop?"})
	head := rs.headerFor(t, phone, second, "Is this the shop?")
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": first, "text": "STOP"})
	if !blockedAnywhere(rs, phone) {
		t.Fatal("STOP did not block the phone at the carrier")
	}
	rs.post(t, "/api/slack/say", map[string]any{"thread_ts": head.TS, "text": "Yes, it is."})
	rs.await(t, "the carrier's 40300 told in the thread", func() bool { return rs.threadSays(head.TS, "40300") })
	if len(rs.sb.Carrier.Sent()) != 0 {
		t.Errorf("the carrier accepted a send to a phone that sent STOP: %v", rs.sb.Carrier.Sent())
	}
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": first, "text": "START"})
	if blockedAnywhere(rs, phone) {
		t.Error("START did not lift the block at the carrier")
	}
}

func blockedAnywhere(rs *runningSandbox, phone string) bool {
	for _, p := range rs.sb.State().Phones {
		if p.Number == phone {
			return p.Blocked
		}
	}
	return false
}

package bot

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

func TestParseNumberReadsManyWrittenForms(t *testing.T) {
	tests := []struct{ in, region, want string }{
		{"(312) 555-0123", "US", "+13125550123"},
		{"312-555-0123", "US", "+13125550123"},
		{"312.555.0123", "US", "+13125550123"},
		{"3125550123", "US", "+13125550123"},
		{"1 312 555 0123", "US", "+13125550123"},
		{"+1 (312) 555-0123", "US", "+13125550123"},
		{"+13125550123", "GB", "+13125550123"},
		{"<tel:+13125550123|+1 312 555 0123>", "US", "+13125550123"}, // as Slack links it
		{"020 7946 0958", "GB", "+442079460958"},
		{"+44 20 7946 0958", "US", "+442079460958"},
		{"0044 20 7946 0958", "GB", "+442079460958"},
		{"030 12345678", "DE", "+493012345678"},
		{"+49 (0)30 12345678", "US", "+493012345678"},
		{"06 12 34 56 78", "FR", "+33612345678"},
	}
	for _, tt := range tests {
		got, err := cmdkit.ParseNumber(tt.in, tt.region)
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseNumber(%q, %s) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "hello", "555-01", "+1 312 555 01234567", "tomorrow"} {
		if got, err := cmdkit.ParseNumber(bad, "US"); err == nil {
			t.Errorf("ParseNumber(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseSenderKinds(t *testing.T) {
	tests := []struct{ in, want, kind string }{
		{"(844) 555-0001", "+18445550001", cmdkit.SenderNumber},
		{"+18445550001", "+18445550001", cmdkit.SenderNumber},
		{"12345", "12345", cmdkit.SenderShortCode},
		{"847411", "847411", cmdkit.SenderShortCode},
		{"MyShop", "MyShop", cmdkit.SenderAlpha},
		{"Acme2026", "Acme2026", cmdkit.SenderAlpha},
	}
	for _, tt := range tests {
		got, kind, err := cmdkit.ParseSender(tt.in, "US")
		if err != nil || string(got) != tt.want || kind != tt.kind {
			t.Errorf("ParseSender(%q) = %q, %q, %v; want %q, %q", tt.in, got, kind, err, tt.want, tt.kind)
		}
	}
	for _, bad := range []string{"ThisNameIsTooLong", "a-b!", "+1 555"} {
		if _, _, err := cmdkit.ParseSender(bad, "US"); err == nil {
			t.Errorf("ParseSender(%q): want an error", bad)
		}
	}
}

func TestSendFromRoutedNumberJoinsConversationThread(t *testing.T) {
	e := newSMSEnv(t)
	// Slack escapes &, < and > in a command's text.
	reply := e.text(userAlice, chSupport, "send (312) 555-0123 Table for 2 &amp; a &lt;high chair&gt;")
	mustContain(t, reply, "Sending to", "+1 312-555-0123", "<#"+chSupport+">")

	body := e.only("POST /messages")
	if body["from"] != ourNumber || body["to"] != remote || body["text"] != "Table for 2 & a <high chair>" {
		t.Errorf("POST /messages body = %v", body)
	}
	if _, ok := body["messaging_profile_id"]; ok {
		t.Errorf("a send from a number names no profile: %v", body)
	}
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatalf("conversation not opened: %v", err)
	}
	if conv.Channel != chSupport || conv.ThreadTS == "" {
		t.Fatalf("conversation thread = %s/%s, want a thread in %s", conv.Channel, conv.ThreadTS, chSupport)
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Table for 2 &amp; a &lt;high chair&gt;") {
		t.Fatalf("thread confirmation = %+v", replies)
	}
	msgs, _ := e.st.RecentMessages(e.ctx, conv.ID, 10)
	if len(msgs) != 1 || msgs[0].Direction != store.Outbound || msgs[0].TelnyxID == nil || msgs[0].AuthorID != userAlice {
		t.Fatalf("stored message = %+v", msgs)
	}
	if _, err := e.st.MessageByTelnyxID(e.ctx, *msgs[0].TelnyxID); err != nil {
		t.Errorf("delivery webhooks cannot find the message by its Telnyx id: %v", err)
	}

	// A second text joins the same thread: one header, two confirmations.
	e.text(userAlice, chSupport, "send +13125550123 See you at 7")
	if tops := topLevel(e.slack.Messages(chSupport)); len(tops) != 1 {
		t.Errorf("%d thread headers, want 1", len(tops))
	}
	if n := len(e.slack.ThreadReplies(chSupport, conv.ThreadTS)); n != 2 {
		t.Errorf("%d posts in the thread, want 2", n)
	}
}

func topLevel(ms []recorded.Message) []recorded.Message {
	var out []recorded.Message
	for _, m := range ms {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			out = append(out, m)
		}
	}
	return out
}

func TestSendSenderOptionsMakeTheRightTelnyxRequest(t *testing.T) {
	tests := []struct {
		name string
		cmd  string
		want map[string]any // fields of the POST /messages body
		gone []string       // fields that must be absent
	}{
		{"--from another number", "send --from 844.555.0002 3125550123 hi", map[string]any{"from": ourNumber2, "to": remote, "text": "hi"}, []string{"messaging_profile_id"}},
		{"--from after the recipient", "send 3125550123 --from +18445550002 hi", map[string]any{"from": ourNumber2, "text": "hi"}, nil},
		{"--from a short code", "send --from 12345 3125550123 hi", map[string]any{"from": "12345", "to": remote}, []string{"messaging_profile_id"}},
		{"--from an alphanumeric sender ID", "send --from MyShop 3125550123 hi", map[string]any{"from": "MyShop", "messaging_profile_id": faketelnyx.DefaultProfileID}, nil},
		{"--pool", "send --pool 3125550123 hi", map[string]any{"messaging_profile_id": faketelnyx.DefaultProfileID, "to": remote}, []string{"from"}},
		{"--media", "send --media <https://example.com/a.jpg> 3125550123 look", map[string]any{"from": ourNumber, "media_urls": []any{"https://example.com/a.jpg"}, "text": "look"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSMSEnv(t)
			reply := e.text(userAlice, chSupport, tt.cmd)
			mustContain(t, reply, "Sending to")
			body := e.only("POST /messages")
			for k, v := range tt.want {
				if !jsonEqual(body[k], v) {
					t.Errorf("%s = %v, want %v (body %v)", k, body[k], v, body)
				}
			}
			for _, k := range tt.gone {
				if _, ok := body[k]; ok {
					t.Errorf("%s should not be sent (body %v)", k, body)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestSendRefusals(t *testing.T) {
	tests := []struct {
		name, channel, cmd string
		want               []string
	}{
		{"bad number", chSupport, "send 555-01 hello", []string{"not a phone number", "Usage: `/sms send"}},
		{"missing text", chSupport, "send +13125550123", []string{"Missing the text", "Usage:"}},
		{"missing everything", chSupport, "send", []string{"Missing the number", "Usage:"}},
		{"unknown option", chSupport, "send --fast +13125550123 hi", []string{"unknown option --fast", "Usage:"}},
		{"bad sender", chSupport, "send --from not-a-sender! +13125550123 hi", []string{"--from", "Usage:"}},
		{"no number routed to the channel", chInbox, "send +13125550123 hi", []string{"knows no number of ours for this channel", "--from"}},
		{"from and pool", chSupport, "send --pool --from +18445550002 +13125550123 hi", []string{"Use either --from or --pool"}},
		{"unknown subcommand", chSupport, "sned +13125550123 hi", []string{"Unknown command `sned`", "/sms help"}},
		{"group of one", chSupport, "group +13125550123 hi", []string{"2 to 8 numbers"}},
		{"group of nine", chSupport, "group +13125550101,+13125550102,+13125550103,+13125550104,+13125550105,+13125550106,+13125550107,+13125550108,+13125550109 hi", []string{"2 to 8 numbers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSMSEnv(t)
			mustContain(t, e.text(userAlice, tt.channel, tt.cmd), tt.want...)
			if n := len(e.tx.Requests()); n != 0 {
				t.Errorf("a refused command reached Telnyx %d times", n)
			}
		})
	}
}

func TestSendToOptedOutRecipientIsRefusedWithoutTexting(t *testing.T) {
	e := newSMSEnv(t)
	conv, _, err := e.st.FindOrCreateConversation(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.br.RecordOptOut(e.ctx, ourNumber, remote, "", store.OptOutKeyword, "STOP", "STOP"); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.st.Conversation(e.ctx, conv.ID); !c.OptedOut {
		t.Errorf("the conversation does not show the opt-out")
	}
	mustContain(t, e.text(userAlice, chSupport, "send 312 555 0123 are you there?"), "Not sent", "opted out", "STOP")
	if n := len(e.tx.Requests()); n != 0 {
		t.Errorf("an opted-out recipient was texted (%d requests)", n)
	}
}

func TestSendTelnyxOptOutRefusalIsShownAndRecorded(t *testing.T) {
	e := newSMSEnv(t)
	e.tx.Enqueue("POST /messages", faketelnyx.Error(422, "40300", "Blocked due to STOP message", "to has opted out"))
	mustContain(t, e.text(userAlice, chSupport, "send +13125550123 hi"), "Sending to")
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil || conv.ThreadTS == "" {
		t.Fatalf("conversation thread: %v", err)
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if last := replies[len(replies)-1]; !strings.Contains(last.BlockText(), "opted out") || !strings.Contains(last.BlockText(), "40300") {
		t.Fatalf("thread does not say Telnyx refused it: %q", last.BlockText())
	}
	// Recorded: the next send is refused here, without asking Telnyx.
	before := len(e.tx.RequestsTo("POST /messages"))
	mustContain(t, e.text(userAlice, chSupport, "send +13125550123 hello?"), "Not sent", "opted out")
	if n := len(e.tx.RequestsTo("POST /messages")); n != before {
		t.Errorf("Telnyx was asked again after it reported the opt-out")
	}
}

func TestGroupSendsOneGroupMMSIntoTheGroupThread(t *testing.T) {
	e := newSMSEnv(t)
	reply := e.text(userAlice, chSupport, "group 312-555-0123,(312) 555-0124 Meeting moved to 3pm")
	mustContain(t, reply, "Sending to")
	body := e.only("POST /messages/group_mms")
	if body["from"] != ourNumber || !jsonEqual(body["to"], []string{"+13125550123", "+13125550124"}) || body["text"] != "Meeting moved to 3pm" {
		t.Errorf("group_mms body = %v", body)
	}
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, "+13125550123,+13125550124")
	if err != nil || conv.ThreadTS == "" {
		t.Fatalf("group conversation thread: %v %+v", err, conv)
	}
}

func TestWhatsAppSendsTextMessage(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "whatsapp +44 20 7946 0958 Your order has shipped"), "Sending by WhatsApp to")
	body := e.only("POST /messages/whatsapp")
	if body["from"] != ourNumber || body["to"] != "+442079460958" {
		t.Errorf("whatsapp body = %v", body)
	}
	wm, _ := body["whatsapp_message"].(map[string]any)
	if wm["type"] != "text" || !jsonEqual(wm["text"], map[string]any{"body": "Your order has shipped"}) {
		t.Errorf("whatsapp_message = %v", wm)
	}
}

func TestStatusShowsMessageAndExplainsRetention(t *testing.T) {
	e := newSMSEnv(t)
	m := map[string]any{"record_type": "message", "direction": "outbound", "id": "40385f64-5717-4562-b3fc-2c963f66afa6", "type": "SMS",
		"from": map[string]any{"phone_number": ourNumber}, "to": []any{map[string]any{"phone_number": remote, "status": "delivery_failed", "carrier": "T-MOBILE USA, INC."}},
		"text": "hi", "parts": 2, "encoding": "GSM-7", "cost": map[string]any{"amount": "0.0102", "currency": "USD"},
		"errors": []any{map[string]any{"code": "40008", "title": "Undeliverable", "detail": "The carrier rejected it"}}}
	e.tx.PutMessage(m)
	reply := e.text(userAlice, chSupport, "status 40385f64-5717-4562-b3fc-2c963f66afa6")
	mustContain(t, reply, "delivery_failed", "Parts: 2", "0.0102 USD", "40008 Undeliverable", "10 days")
	if r := e.tx.RequestsTo("GET /messages/{id}"); len(r) != 1 || r[0].Params["id"] != "40385f64-5717-4562-b3fc-2c963f66afa6" {
		t.Errorf("GET /messages/{id} requests = %+v", r)
	}
	mustContain(t, e.text(userAlice, chSupport, "status 9a1b2c3d-0000-4000-8000-000000000000"), "no message", "10 days")
	mustContain(t, e.text(userAlice, chSupport, "status"), "Give one message id", "Usage:")
}

func TestSendIsAcknowledgedFromTheOutboxBeforeTelnyxIsCalled(t *testing.T) {
	e := newSMSEnv(t)
	msg, _ := e.run(userAlice, chSupport, "send +13125550123 slow one")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("Telnyx got %d requests before the acknowledgement: the command sent it itself", n)
	}
	if msg == nil || !strings.Contains(msg.Text, "Sending to") || msg.ResponseType != "ephemeral" {
		t.Fatalf("acknowledgement = %+v", msg)
	}
	// The outbox entry exists before Telnyx is called, in the
	// conversation's lane.
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("%d sends, want 1", n)
	}
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil || conv.ThreadTS == "" {
		t.Fatalf("the send did not reach its thread: %v", err)
	}
	msgs, _ := e.st.RecentMessages(e.ctx, conv.ID, 10)
	if len(msgs) != 1 || msgs[0].OutboxKey == nil || msgs[0].Status != store.OutQueued || msgs[0].SlackTS == "" {
		t.Fatalf("outbox entry = %+v", msgs)
	}
	if r := e.slack.Reactions(chSupport, msgs[0].SlackTS); !slices.Contains(r, bridge.ReactQueued) {
		t.Errorf("the thread post does not show it queued: %v", r)
	}
}

func TestSendAndFirstInboundTextAtOnceMakeOneThreadInOrder(t *testing.T) {
	e := newSMSEnv(t)
	raw, err := os.ReadFile("../telnyx/testdata/webhooks/message.received.sms.json") // +13125550123 → +18445550001
	if err != nil {
		t.Fatal(err)
	}
	ev, err := telnyxhook.ParseWebhook(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Both are queued before either is worked on: the send's confirmation
	// and the inbound text share the conversation's lane.
	msg, _ := e.run(userAlice, chSupport, "send +13125550123 Deploying now")
	mustContain(t, msg.Text, "Sending to")
	if _, err := e.br.IngestTelnyx(e.ctx, ev, raw); err != nil {
		t.Fatal(err)
	}
	e.settle()
	tops := topLevel(e.slack.Messages(chSupport))
	if len(tops) != 1 {
		t.Fatalf("%d thread headers, want 1", len(tops))
	}
	replies := e.slack.ThreadReplies(chSupport, tops[0].TS)
	if len(replies) != 2 || !strings.Contains(replies[0].Text, "Deploying now") || !strings.Contains(replies[1].Text, "deploy status?") {
		t.Fatalf("thread = %+v, want the confirmation then the text", replies)
	}
}

package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// The side paths take the one way out: these pin what the "one way out"
// issue found broken beside the thread-reply path.

var inboundSeq atomic.Int64

// inbound delivers an inbound text from `from` to our number, as Telnyx's
// webhook would, and settles the work it causes.
func (e *smsEnv) inbound(from, to, text string, cc ...string) {
	e.t.Helper()
	n := inboundSeq.Add(1)
	ccs := []map[string]any{}
	for _, c := range cc {
		ccs = append(ccs, map[string]any{"phone_number": c})
	}
	body, _ := json.Marshal(map[string]any{
		"data": map[string]any{
			"event_type": "message.received", "id": fmt.Sprintf("ev-in-%d", n), "record_type": "event",
			"occurred_at": e.clock.Now().Format(time.RFC3339Nano),
			"payload": map[string]any{
				"id": fmt.Sprintf("msg-in-%d", n), "record_type": "message", "direction": "inbound", "type": "SMS",
				"text": text, "from": map[string]any{"phone_number": from},
				"to": []map[string]any{{"phone_number": to}}, "cc": ccs, "media": []any{},
				"messaging_profile_id": "740572b6-099c-44a1-89b9-6c92163bc68d",
			},
		},
		"meta": map[string]any{"attempt": 1},
	})
	ev, err := telnyxhook.ParseWebhook(body)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.br.IngestTelnyx(e.ctx, ev, body); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
}

// reply is a teammate's reply in conv's thread, as the Events API gives it.
func (e *smsEnv) reply(conv *store.Conversation, text string) {
	e.t.Helper()
	ts := fmt.Sprintf("1700000999.%06d", inboundSeq.Add(1))
	e.slack.AddUserMessage(conv.Channel, conv.ThreadTS, userAlice, text)
	if _, err := e.out.IngestSlack(e.ctx, bridge.SlackReply{EventID: "Ev" + ts, Channel: conv.Channel, TS: ts, ThreadTS: conv.ThreadTS, User: userAlice, Text: text}); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
}

func (e *smsEnv) conv(kind, our, remoteKey string) *store.Conversation {
	e.t.Helper()
	c, err := e.st.ConversationByNumbers(e.ctx, kind, our, remoteKey)
	if err != nil {
		e.t.Fatalf("conversation %s %s|%s: %v", kind, our, remoteKey, err)
	}
	return c
}

func (e *smsEnv) lastReply(c *store.Conversation) string {
	e.t.Helper()
	rs := e.slack.ThreadReplies(c.Channel, c.ThreadTS)
	if len(rs) == 0 {
		e.t.Fatalf("no posts in the thread of conversation %d", c.ID)
	}
	return rs[len(rs)-1].BlockText()
}

func TestGroupReplyWithAMemberWhoSentStopIn1to1SendsNothingAndNamesThem(t *testing.T) {
	e := newSMSEnv(t)
	const other = "+13125550124"
	// A group MMS comes in and gets a thread; later one member texts STOP
	// in their 1:1 conversation with the same number.
	e.inbound(remote, ourNumber, "hi all", other)
	e.inbound(other, ourNumber, "STOP")
	group := e.conv(store.KindSMS, ourNumber, remote+","+other)
	if !group.OptedOut {
		t.Errorf("the group's header does not show that a member opted out")
	}
	before := len(e.tx.Requests())
	e.reply(group, "Meeting moved to 3pm")
	if n := len(e.tx.Requests()); n != before {
		t.Fatalf("a group with an opted-out member was texted (%d requests)", n-before)
	}
	mustContain(t, e.lastReply(group), "Not sent", other, "opted out", "STOP")
	// /sms group is refused the same way, at once.
	mustContain(t, e.text(userAlice, chSupport, "group 312-555-0123,312-555-0124 hello"), "Not sent", other, "opted out")
	if n := len(e.tx.Requests()); n != before {
		t.Fatalf("/sms group texted an opted-out member")
	}
}

func TestStopCancelsHeldAndHandedScheduledMessages(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "schedule tomorrow 9am +13125550123 handed one"), "Scheduled #1")
	mustContain(t, e.text(userAlice, chSupport, "schedule in 2 weeks +13125550123 held one"), "Scheduled #2")
	handed, _ := e.st.Scheduled(e.ctx, 1)
	held, _ := e.st.Scheduled(e.ctx, 2)
	if handed.Status != store.SchedHanded || held.Status != store.SchedHeld {
		t.Fatalf("statuses %s %s, want handed and held", handed.Status, held.Status)
	}
	e.inbound(remote, ourNumber, "Stop")
	dels := e.tx.RequestsTo("DELETE /messages/{id}")
	if len(dels) != 1 || !strings.HasSuffix(dels[0].Path, *handed.TelnyxID) {
		t.Fatalf("DELETE requests = %+v, want one for %s", dels, *handed.TelnyxID)
	}
	for _, id := range []uint64{1, 2} {
		if m, _ := e.st.Scheduled(e.ctx, id); m.Status != store.SchedCancelled {
			t.Errorf("scheduled #%d is %s after STOP, want cancelled", id, m.Status)
		}
	}
	c := e.conv(store.KindSMS, ourNumber, remote)
	var texts []string
	for _, r := range e.slack.ThreadReplies(c.Channel, c.ThreadTS) {
		texts = append(texts, r.BlockText())
	}
	all := strings.Join(texts, "\n")
	mustContain(t, all, "#1 was cancelled: the recipient opted out", "#2 was cancelled: the recipient opted out")
	// Nothing is handed over later either.
	e.clock.Advance(15 * 24 * time.Hour)
	e.tick()
	if n := len(e.tx.RequestsTo("POST /messages")) + len(e.tx.RequestsTo("POST /messages/schedule")); n != 1 {
		t.Errorf("%d sends or schedules in all, want only the first schedule", n)
	}
}

func TestStopWithUnderAMinuteToGoSaysItCouldNotBeCancelled(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "schedule in 10 minutes +13125550123 soon"), "Scheduled #1")
	e.tx.Enqueue("DELETE /messages/{id}", faketelnyx.Error(400, "10015", "Message can no longer be cancelled", "less than a minute before send_at"))
	e.inbound(remote, ourNumber, "STOP")
	c := e.conv(store.KindSMS, ourNumber, remote)
	mustContain(t, e.lastReply(c), "could not be cancelled", "#1")
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedHanded {
		t.Errorf("status %s, want still handed", m.Status)
	}
}

func TestWhatsAppConversationIsAnsweredByWhatsApp(t *testing.T) {
	e := newSMSEnv(t)
	const wa = "+447946000123"
	mustContain(t, e.text(userAlice, chSupport, "whatsapp +447946000123 Your order has shipped"), "Sending by WhatsApp")
	c := e.conv(store.KindWhatsApp, ourNumber, wa)
	if c.ThreadTS == "" {
		t.Fatal("the WhatsApp conversation has no thread")
	}
	if _, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, wa); err == nil {
		t.Error("the WhatsApp send opened an SMS conversation")
	}
	header := topLevel(e.slack.Messages(chSupport))
	if len(header) != 1 || !strings.Contains(header[0].Text, "WhatsApp") {
		t.Errorf("header does not say WhatsApp: %+v", header)
	}
	e.reply(c, "It arrives Tuesday")
	was := e.tx.RequestsTo("POST /messages/whatsapp")
	if len(was) != 2 {
		t.Fatalf("%d WhatsApp sends, want 2 (the command and the thread reply)", len(was))
	}
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("a WhatsApp thread was answered by SMS (%d)", n)
	}
	wm, _ := was[1].BodyMap()["whatsapp_message"].(map[string]any)
	if !jsonEqual(wm["text"], map[string]any{"body": "It arrives Tuesday"}) {
		t.Errorf("reply body = %v", wm)
	}
}

// crashSender calls Telnyx, then ends the calling goroutine before the
// answer is recorded: the process died just after Telnyx accepted.
type crashSender struct {
	next    bridge.SMSSender
	crashed chan struct{}
	armed   atomic.Bool
}

func (s *crashSender) SendSMS(ctx context.Context, m bridge.OutSMS) (*bridge.SentSMS, error) {
	sent, err := s.next.SendSMS(ctx, m)
	if err == nil && s.armed.CompareAndSwap(true, false) {
		close(s.crashed)
		runtime.Goexit()
	}
	return sent, err
}

func TestSendInterruptedByACrashAfterTelnyxIsAmbiguousNotLostNotResent(t *testing.T) {
	e := newSMSEnv(t)
	cs := &crashSender{next: &bridge.TelnyxSender{Client: e.api.Client}, crashed: make(chan struct{})}
	cs.armed.Store(true)
	e.out = bridge.NewOutbound(e.br, cs, nil, nil, bridge.OutboundConfig{})
	e.cmds = slackin.NewCommands(nil, &slackin.HTTPResponder{}, nil)
	e.in = slackin.NewInteractions(nil)
	smscmd.RegisterSMSCommands(e.cmds, e.in, smscmd.SMSDeps{API: e.api, Bridge: e.br, Outbox: e.out, Scheduler: e.sched,
		Slack: e.slack.Client(), Routes: bridge.Routes{Default: chInbox, ByNumber: map[bridge.E164]string{ourNumber: chSupport}}, Now: e.clock.Now})

	msg, _ := e.run(userAlice, chSupport, "send +13125550123 crash right after")
	mustContain(t, msg.Text, "Sending to")
	go func() { e.eng.RunDue(e.ctx) }()
	<-cs.crashed
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("%d sends before the crash", n)
	}
	e.restart() // the same database, a new process
	e.clock.Advance(3 * time.Minute)
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("resent after the crash: %d sends", n)
	}
	c := e.conv(store.KindSMS, ourNumber, remote)
	msgs, _ := e.st.RecentMessages(e.ctx, c.ID, 5)
	if len(msgs) != 1 || msgs[0].Status != store.OutAmbiguous {
		t.Fatalf("outbox entry = %+v, want one, ambiguous", msgs)
	}
	rs := e.slack.ThreadReplies(c.Channel, c.ThreadTS)
	last := rs[len(rs)-1]
	if !slices.Contains(last.ActionIDs(), bridge.ActionSendAgain) || !strings.Contains(last.BlockText(), "not sent again automatically") {
		t.Fatalf("not shown with Send again: %q %v", last.BlockText(), last.ActionIDs())
	}
}

func TestOptOutOnTelnyxsListIsRefusedHereOnceLookedUp(t *testing.T) {
	e := newSMSEnv(t)
	// The fake's opt-out list has +13125550123 opted out of our number.
	mustContain(t, e.text(userAlice, chSupport, "optouts (312) 555-0123"), "Telnyx: +1 312-555-0123 opted out", "smsbridge: +1 312-555-0123 opted out", "on Telnyx's list")
	before := len(e.tx.Requests())
	mustContain(t, e.text(userAlice, chSupport, "send +13125550123 hello"), "Not sent", "on Telnyx's opt-out list")
	if n := len(e.tx.Requests()); n != before {
		t.Errorf("sent to a number on Telnyx's opt-out list")
	}
}

func TestOptOutsShowsTheConsentHistoryOfStopAndStart(t *testing.T) {
	e := newSMSEnv(t)
	const who = "+13125550177"
	e.inbound(who, ourNumber, "stop")
	e.inbound(who, ourNumber, "START")
	e.inbound(who, ourNumber, "UNSUBSCRIBE")
	got := e.text(userAlice, chSupport, "optouts "+who)
	mustContain(t, got, "texted STOP", "opted back in", "(texted START)", "texted UNSUBSCRIBE); smsbridge does not text them")
	c := e.conv(store.KindSMS, ourNumber, who)
	if !c.OptedOut || c.OptOutKeyword != "UNSUBSCRIBE" {
		t.Errorf("conversation shows opted_out=%v %q, want the last opt-out", c.OptedOut, c.OptOutKeyword)
	}
}

func TestPoolSendLandsInTheChosenNumbersThreadAndARefusalIsToldToTheSender(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "send --pool +13125550123 from the pool"), "from the number pool")
	c := e.conv(store.KindSMS, faketelnyx.DefaultNumber, remote)
	if c.ThreadTS == "" {
		t.Fatal("the chosen number's conversation has no thread")
	}
	rs := e.slack.ThreadReplies(c.Channel, c.ThreadTS)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "from the pool") {
		t.Fatalf("thread = %+v", rs)
	}
	msgs, _ := e.st.RecentMessages(e.ctx, c.ID, 5)
	if len(msgs) != 1 || msgs[0].Status != store.OutQueued || msgs[0].FromNumber != faketelnyx.DefaultNumber {
		t.Fatalf("outbox entry = %+v", msgs)
	}

	e.tx.Enqueue("POST /messages", faketelnyx.Error(422, "40013", "Invalid destination", "not a mobile number"))
	e.text(userAlice, chSupport, "send --pool +13125550188 hello")
	var told []string
	for _, m := range e.slack.Ephemerals(chSupport) {
		if m.User == userAlice {
			told = append(told, m.Text)
		}
	}
	if len(told) == 0 || !strings.Contains(told[len(told)-1], "Not sent: Telnyx refused") || !strings.Contains(told[len(told)-1], "Invalid destination") {
		t.Fatalf("the sender was not told: %q", told)
	}
}

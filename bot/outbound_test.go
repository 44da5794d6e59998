package bot_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

func TestOutboundReplySendsOneSMSWithRightFromToText(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	body, ts := h.reply(c, "On our way, ETA 10 min & <counting>")
	if code := h.postEvent(body, 0); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	h.settle()
	sends := h.tx.sends()
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	s := sends[0]
	if s.From != obOur || len(s.To) != 1 || s.To[0] != obRemote || s.Text != "On our way, ETA 10 min & <counting>" || s.Group {
		t.Fatalf("send %+v", s)
	}
	m := h.outbound(obChannel + ":" + ts)
	if m.Status != store.OutQueued || m.TelnyxID == nil || m.AuthorID != obUser {
		t.Fatalf("outbox entry %+v", m)
	}
	if r := h.slack.Reactions(obChannel, ts); !slices.Equal(r, []string{bridge.ReactQueued}) {
		t.Fatalf("reactions %v", r)
	}
	conv, _ := h.st.Conversation(context.Background(), c.ID)
	if conv.LastDirection != store.Outbound || !conv.LastActivityAt.After(c.LastActivityAt) {
		t.Fatalf("conversation not marked outbound: %+v", conv)
	}
}

func TestOutboundRedeliveryAndSameMessageTwiceSendOnce(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	body, ts := h.reply(c, "hello")
	for retry := 0; retry < 3; retry++ { // Slack's retries: same event_id, X-Slack-Retry-Num
		if code := h.postEvent(body, retry); code != http.StatusOK {
			t.Fatalf("delivery %d answered %d", retry, code)
		}
	}
	// The same message under another event id (seen twice, e.g. over both
	// transports or after an app reinstall).
	h.postEvent(withEventID(body, "EvOTHER"), 0)
	h.settle()
	h.postEvent(body, 4) // a late retry after it was sent
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("%d sends", n)
	}
	if h.tx.attempts() != 1 {
		t.Fatalf("%d attempts", h.tx.attempts())
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutQueued {
		t.Fatalf("status %s", m.Status)
	}
}

func TestOutboundIgnoresBotsNotesEditsAndOtherThreads(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	ts := h.slack.AddUserMessage(c.Channel, c.ThreadTS, obUser, "x")
	cases := map[string][]byte{
		"our bot's post (bot_id)": h.eventBody(obMsg{text: "Sent as 2 segments", botID: fakeslack.BotID, threadTS: c.ThreadTS, ts: "1700000099.000100"}),
		"our bot user":            h.eventBody(obMsg{user: fakeslack.BotUserID, text: "bot says", threadTS: c.ThreadTS, ts: "1700000099.000200"}),
		"another bot":             h.eventBody(obMsg{text: "deploy done", botID: "B0OTHER", threadTS: c.ThreadTS, ts: "1700000099.000300"}),
		"internal note":           h.eventBody(obMsg{user: obUser, text: "  // she is a VIP, be nice", threadTS: c.ThreadTS, ts: "1700000099.000400"}),
		"top-level message":       h.eventBody(obMsg{user: obUser, text: "lunch?", ts: "1700000099.000500"}),
		// Slack names the parent's author on a thread reply; a young
		// thread under our bot's post waits for its ts to be stored
		// (early_reply_test.go).
		"other thread": h.eventBody(obMsg{user: obUser, text: "in another thread", threadTS: "1699999999.000100", ts: "1700000099.000600", parentUser: "U0BEA"}),
		"channel join": h.eventBody(obMsg{user: obUser, text: "joined", subtype: "channel_join", ts: "1700000099.000700"}),
	}
	for name, body := range cases {
		if code := h.postEvent(body, 0); code != http.StatusOK {
			t.Fatalf("%s: answered %d", name, code)
		}
	}
	h.settle()
	if n := len(h.tx.sends()); n != 0 {
		t.Fatalf("%d sends: %+v", n, h.tx.sends())
	}
	var stored int64
	h.st.DB().Model(&store.Event{}).Where("source = ?", bridge.SourceSlack).Count(&stored)
	if stored != 0 {
		t.Fatalf("%d slack events stored as work", stored)
	}

	// An edit of a reply that was texted: nothing is sent, the thread says why.
	body := h.eventBody(obMsg{user: obUser, text: "hello", threadTS: c.ThreadTS, ts: ts})
	h.postEvent(body, 0)
	h.settle()
	edit := callbackBody(map[string]any{
		"type": "message", "subtype": "message_changed", "channel": obChannel, "hidden": true, "ts": "1700000100.000100",
		"message":          map[string]any{"type": "message", "user": obUser, "text": "hello again", "ts": ts, "thread_ts": c.ThreadTS},
		"previous_message": map[string]any{"type": "message", "user": obUser, "text": "hello", "ts": ts, "thread_ts": c.ThreadTS},
	})
	h.postEvent(edit, 0)
	del := callbackBody(map[string]any{
		"type": "message", "subtype": "message_deleted", "channel": obChannel, "hidden": true, "ts": "1700000100.000200", "deleted_ts": ts,
		"previous_message": map[string]any{"type": "message", "user": obUser, "text": "hello again", "ts": ts, "thread_ts": c.ThreadTS},
	})
	h.postEvent(del, 0)
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("edit or delete sent SMS: %d sends", n)
	}
	texts := strings.Join(h.threadTexts(c), "\n")
	if !strings.Contains(texts, "was edited in Slack") || !strings.Contains(texts, "was deleted in Slack") || !strings.Contains(texts, "cannot be changed") {
		t.Fatalf("thread: %s", texts)
	}
}

func TestOutboundOptedOutNumberIsNotTexted(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	if _, err := h.b.RecordOptOut(context.Background(), obOur, obRemote, "", store.OptOutKeyword, "STOP", "STOP"); err != nil {
		t.Fatal(err)
	}
	h.start()
	ts := h.replyAndSettle(c, "are you there?")
	if h.tx.attempts() != 0 {
		t.Fatalf("texted an opted-out number")
	}
	texts := strings.Join(h.threadTexts(c), "\n")
	if !strings.Contains(texts, "opted out") || !strings.Contains(texts, obRemote) || !strings.Contains(texts, "STOP") {
		t.Fatalf("thread does not say why: %s", texts)
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutOptedOut {
		t.Fatalf("status %s", m.Status)
	}
}

func TestOutboundTelnyx40300MarksConversationOptedOut(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.tx.failNext(failOptedOut)
	h.start()
	h.replyAndSettle(c, "hi")
	conv, _ := h.st.Conversation(context.Background(), c.ID)
	if !conv.OptedOut {
		t.Fatal("conversation not marked opted out")
	}
	if hdr, _ := h.slack.Message(c.Channel, c.ThreadTS); !strings.Contains(hdr.BlockText(), "Opted out") {
		t.Fatalf("header not updated: %s", hdr.BlockText())
	}
	// The next reply is not even tried.
	h.replyAndSettle(c, "hello?")
	if h.tx.attempts() != 1 {
		t.Fatalf("%d attempts", h.tx.attempts())
	}
}

func TestOutboundRateLimitedThenSucceedsSendsOnce(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.tx.failNext(failRateLimited)
	h.start()
	ts := h.replyAndSettle(c, "hi")
	if n := len(h.tx.sends()); n != 1 || h.tx.attempts() != 2 {
		t.Fatalf("%d sends in %d attempts", n, h.tx.attempts())
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutQueued {
		t.Fatalf("status %s", m.Status)
	}
}

func TestOutboundAmbiguousFailureIsShownNotResent(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.tx.failNext(failServerError)
	h.start()
	ts := h.replyAndSettle(c, "your order shipped")
	if h.tx.attempts() != 1 || len(h.tx.sends()) != 0 {
		t.Fatalf("attempts %d sends %d", h.tx.attempts(), len(h.tx.sends()))
	}
	m := h.outbound(obChannel + ":" + ts)
	if m.Status != store.OutAmbiguous {
		t.Fatalf("status %s", m.Status)
	}
	replies := h.slack.ThreadReplies(c.Channel, c.ThreadTS)
	last := replies[len(replies)-1]
	if !slices.Contains(last.ActionIDs(), bridge.ActionSendAgain) || !strings.Contains(last.BlockText(), "not sent again automatically") {
		t.Fatalf("no Send again: %s %v", last.BlockText(), last.ActionIDs())
	}
	if r := h.slack.Reactions(obChannel, ts); !slices.Contains(r, bridge.ReactAmbiguous) {
		t.Fatalf("reactions %v", r)
	}
	// A person presses Send again (twice): it is sent once.
	id := strconv.FormatUint(m.ID, 10)
	if code := h.pressSendAgain(id); code != http.StatusOK {
		t.Fatalf("interaction answered %d", code)
	}
	h.pressSendAgain(id)
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("%d sends after Send again", n)
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutQueued {
		t.Fatalf("status %s", m.Status)
	}
}

func TestOutboundRejectedSendSaysWhy(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.tx.failNext(failRejected)
	h.start()
	ts := h.replyAndSettle(c, "hi")
	texts := strings.Join(h.threadTexts(c), "\n")
	if !strings.Contains(texts, "Invalid 'to' address") || !strings.Contains(texts, "40310") {
		t.Fatalf("thread: %s", texts)
	}
	if r := h.slack.Reactions(obChannel, ts); !slices.Equal(r, []string{bridge.ReactFailed}) {
		t.Fatalf("reactions %v", r)
	}
}

func TestOutboundTooManySegmentsRefusedWithCount(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	h.replyAndSettle(c, strings.Repeat("a", 153*11))
	if h.tx.attempts() != 0 {
		t.Fatal("sent a text over 10 segments")
	}
	texts := strings.Join(h.threadTexts(c), "\n")
	if !strings.Contains(texts, "needs 11 SMS segments") {
		t.Fatalf("thread: %s", texts)
	}
}

func TestOutboundMultiSegmentConfirmationShowsCountAndEncoding(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	body, _ := h.reply(c, strings.Repeat("é ok ", 20)+"😀") // not GSM-7: UCS-2, 101 units, 2 segments
	h.postEvent(body, 0)
	h.settle()
	texts := strings.Join(h.threadTexts(c), "\n")
	if !strings.Contains(texts, "Sent as 2 SMS segments (UCS-2)") {
		t.Fatalf("thread: %s", texts)
	}
	// One segment: no confirmation post.
	before := len(h.threadTexts(c))
	h.replyAndSettle(c, "short")
	if len(h.threadTexts(c)) != before {
		t.Fatal("a one-segment reply got a confirmation post")
	}
}

func TestOutboundGroupConversationSendsOneGroupMMS(t *testing.T) {
	h := newOB(t)
	c := h.conversation(obRemote, "+16465550142", "+14155550188")
	h.start()
	h.replyAndSettle(c, "see you all at 6")
	sends := h.tx.sends()
	if len(sends) != 1 || !sends[0].Group || len(sends[0].To) != 3 || sends[0].From != obOur {
		t.Fatalf("sends %+v", sends)
	}
}

func TestOutboundSignatureAppendsName(t *testing.T) {
	h := newOB(t, withOutboundConfig(func(c *bridge.OutboundConfig) { c.Signature = true }))
	h.slack.AddUser(slackUser(obUser, "Ana"))
	c := h.conversation()
	h.start()
	h.replyAndSettle(c, "on it")
	if s := h.tx.sends(); len(s) != 1 || s[0].Text != "on it\n- Ana" {
		t.Fatalf("sends %+v", s)
	}
}

func TestOutboundFileReplyBecomesMMSWithExpiringURL(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...)
	url := h.slack.AddFile("F0PIC", "map.png", "image/png", png)
	ts := h.slack.AddUserMessage(c.Channel, c.ThreadTS, obUser, "here")
	body := h.eventBody(obMsg{user: obUser, text: "here", threadTS: c.ThreadTS, ts: ts,
		files: []map[string]any{{"id": "F0PIC", "name": "map.png", "mimetype": "image/png", "size": len(png), "url_private": url, "url_private_download": url}}})
	h.postEvent(body, 0)
	h.settle()
	sends := h.tx.sends()
	if len(sends) != 1 || len(sends[0].MediaURLs) != 1 || sends[0].Text != "here" {
		var evs []store.Event
		h.st.DB().Find(&evs)
		for _, e := range evs {
			t.Logf("event %s %s %s %s", e.Type, e.Status, e.LastError, e.Payload)
		}
		t.Fatalf("sends %+v; thread %v", sends, h.threadTexts(c))
	}
	mediaURL := sends[0].MediaURLs[0]
	if !strings.HasPrefix(mediaURL, obBase+"/media/") {
		t.Fatalf("media url %s", mediaURL)
	}
	get := func(path string) (int, []byte, string) {
		rec := httptest.NewRecorder()
		h.router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, b, rec.Header().Get("Content-Type")
	}
	path := strings.TrimPrefix(mediaURL, obBase)
	code, got, ct := get(path)
	if code != http.StatusOK || string(got) != string(png) || ct != "image/png" {
		t.Fatalf("media: %d %q %s", code, got[:min(len(got), 8)], ct)
	}
	if code, _, _ := get("/media/" + strings.Repeat("A", 43)); code != http.StatusNotFound {
		t.Fatalf("a guessed token answered %d", code)
	}
	h.clock.Advance(25 * time.Hour)
	if code, _, _ := get(path); code != http.StatusNotFound {
		t.Fatalf("expired media answered %d", code)
	}
}

func TestOutboundFileWithoutPublicBaseURLSaysMMSNeedsIt(t *testing.T) {
	h := newOB(t, withOutboundConfig(func(c *bridge.OutboundConfig) { c.PublicBaseURL = "" }))
	c := h.conversation()
	h.start()
	url := h.slack.AddFile("F0PIC", "map.png", "image/png", []byte("\x89PNG\r\n\x1a\nxx"))
	ts := h.slack.AddUserMessage(c.Channel, c.ThreadTS, obUser, "")
	body := h.eventBody(obMsg{user: obUser, threadTS: c.ThreadTS, ts: ts,
		files: []map[string]any{{"id": "F0PIC", "name": "map.png", "mimetype": "image/png", "url_private_download": url}}})
	h.postEvent(body, 0)
	h.settle()
	if h.tx.attempts() != 0 {
		t.Fatal("sent without PUBLIC_BASE_URL")
	}
	if texts := strings.Join(h.threadTexts(c), "\n"); !strings.Contains(texts, "PUBLIC_BASE_URL") {
		t.Fatalf("thread: %s", texts)
	}
}

func TestOutboundDeliveryReactionsInAndOutOfOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []string // "sent", "delivered", "failed"
		want   []string
		status string
	}{
		{"sent then delivered", []string{"sent", "delivered"}, []string{bridge.ReactDelivered}, store.OutDelivered},
		{"delivered before sent", []string{"delivered", "sent"}, []string{bridge.ReactDelivered}, store.OutDelivered},
		{"delivered twice", []string{"sent", "delivered", "delivered"}, []string{bridge.ReactDelivered}, store.OutDelivered},
		{"sent then failed", []string{"sent", "failed"}, []string{bridge.ReactFailed}, store.OutFailed},
		{"failed before sent, twice", []string{"failed", "sent", "failed"}, []string{bridge.ReactFailed}, store.OutFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newOB(t)
			c := h.conversation()
			h.start()
			body, ts := h.reply(c, "hi")
			h.postEvent(body, 0)
			h.settle()
			m := h.outbound(obChannel + ":" + ts)
			for i, e := range tc.events {
				var wh []byte
				switch e {
				case "sent":
					wh = deliveryReport(fmt.Sprintf("ev-sent-%d", i), telnyxhook.EventMessageSent, *m.TelnyxID, "sent")
				case "delivered":
					wh = deliveryReport("ev-fin-ok", telnyxhook.EventMessageFinalized, *m.TelnyxID, "delivered")
				case "failed":
					wh = deliveryReport("ev-fin-fail", telnyxhook.EventMessageFinalized, *m.TelnyxID, "delivery_failed",
						telnyx.ErrorEntry{Code: "40008", Title: "Undeliverable", Detail: "The message could not be delivered to the handset."})
				}
				if code := h.postTelnyx(wh); code != http.StatusOK {
					t.Fatalf("webhook answered %d", code)
				}
				h.settle()
			}
			if r := h.slack.Reactions(obChannel, ts); !slices.Equal(r, tc.want) {
				t.Fatalf("reactions %v, want %v", r, tc.want)
			}
			if m := h.outbound(obChannel + ":" + ts); m.Status != tc.status {
				t.Fatalf("status %s", m.Status)
			}
			texts := strings.Join(h.threadTexts(c), "\n")
			// The carrier's title, detail and code, as the README promises.
			failNotes := strings.Count(texts, "Undeliverable: The message could not be delivered to the handset (error 40008)")
			if tc.status == store.OutFailed && failNotes != 1 {
				t.Fatalf("want the carrier's error once in the thread, got %d: %s", failNotes, texts)
			}
			if tc.status != store.OutFailed && failNotes != 0 {
				t.Fatalf("failure note on a delivered message: %s", texts)
			}
		})
	}
}

// The outbox crash tests. A crash between committing the Slack event and
// sending: the event is in the store, the engine never ran; after a restart
// the SMS goes out once.
func TestOutboundCrashBetweenCommitAndSendSendsOnceAfterRestart(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	body, ts := h.reply(c, "committed, then the process died")
	if code := h.postEvent(body, 0); code != http.StatusOK { // acknowledged: committed
		t.Fatalf("answered %d", code)
	}
	if h.tx.attempts() != 0 {
		t.Fatal("sent before the engine ran")
	}
	h.restart()
	h.postEvent(body, 1) // Slack retries too; it changes nothing
	h.start()
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("%d sends after restart", n)
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutQueued {
		t.Fatalf("status %s", m.Status)
	}
}

// A crash after Telnyx accepted the send but before its answer was recorded:
// the attempt was recorded first ("sending"), so the restarted service
// knows an attempt with no result exists. It cannot know whether the phone
// got it, so it does not resend: it shows the message with Send again.
func TestOutboundCrashAfterTelnyxAcceptedIsAmbiguousNotResent(t *testing.T) {
	// One worker: the simulated crash ends its goroutine with Goexit, whose
	// deferred lane release would otherwise let a second worker of the same
	// "dead" process pick the message up before the test looks at it.
	h := newOB(t, withEngineConfig(bridge.EngineConfig{Workers: 1, PollInterval: 5 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	c := h.conversation()
	crashed := make(chan struct{})
	h.tx.mu.Lock()
	h.tx.crashAfterAccept = crashed
	h.tx.mu.Unlock()
	body, ts := h.reply(c, "accepted, then the process died")
	h.postEvent(body, 0)
	h.start()
	<-crashed
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutSending {
		t.Fatalf("attempt not recorded before the send: %s", m.Status)
	}
	// Restart on the same database; the dead worker's lease runs out.
	h.clock.Advance(3 * time.Minute)
	h.restart()
	h.start()
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("resent blindly: %d sends", n)
	}
	m := h.outbound(obChannel + ":" + ts)
	if m.Status != store.OutAmbiguous {
		t.Fatalf("status %s", m.Status)
	}
	replies := h.slack.ThreadReplies(c.Channel, c.ThreadTS)
	last := replies[len(replies)-1]
	if !slices.Contains(last.ActionIDs(), bridge.ActionSendAgain) || !strings.Contains(last.BlockText(), "stopped while this SMS was being handed to Telnyx") {
		t.Fatalf("not shown with Send again: %s", last.BlockText())
	}
}

func slackUser(id, display string) slack.User {
	return slack.User{ID: id, Name: strings.ToLower(display), RealName: display + " Lopez", Profile: slack.UserProfile{DisplayName: display}}
}

// A rate limit longer than the client waits out in-call comes back as "not
// sent": the entry returns to pending and the engine tries again after the
// limit's reset, sending once.
func TestOutboundLongRateLimitIsRetriedAfterResetOnce(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.tx.failNext(failRateLimited, failRateLimited, failRateLimited, failRateLimited) // the client's 4 attempts
	h.start()
	body, ts := h.reply(c, "hi")
	h.postEvent(body, 0)
	deadline := time.Now().Add(5 * time.Second)
	for h.tx.attempts() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for h.outbound(obChannel+":"+ts).Status != store.OutPending && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := len(h.tx.sends()); n != 0 {
		t.Fatalf("%d sends while rate limited", n)
	}
	h.clock.Advance(2 * time.Second) // past Retry-After
	h.settle()
	if n, a := len(h.tx.sends()), h.tx.attempts(); n != 1 || a != 5 {
		t.Fatalf("%d sends in %d attempts", n, a)
	}
}

// A send that times out after the request left is ambiguous: shown, not
// resent.
func TestOutboundTimeoutAfterSendIsAmbiguous(t *testing.T) {
	h := newOB(t, withOutboundConfig(func(c *bridge.OutboundConfig) { c.SendTimeout = 50 * time.Millisecond }))
	c := h.conversation()
	h.tx.failNext(failHang)
	h.start()
	ts := h.replyAndSettle(c, "hi")
	if h.tx.attempts() != 1 {
		t.Fatalf("%d attempts", h.tx.attempts())
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutAmbiguous {
		t.Fatalf("status %s", m.Status)
	}
}

func TestPlainTextUndoesSlackFormatting(t *testing.T) {
	for in, want := range map[string]string{
		"Tom &amp; Jerry &lt;3 &gt;_&lt;":               "Tom & Jerry <3 >_<",
		"see <https://example.com/a?b=1&amp;c=2>":       "see https://example.com/a?b=1&c=2",
		"see <https://example.com|example.com>":         "see https://example.com",
		"mail <mailto:ana@example.com|ana@example.com>": "mail ana@example.com",
		"ask <@U0ANA|ana> in <#C0INBOX|inbox>":          "ask @ana in #inbox",
		"hey <!here>":                                   "hey @here",
		"plain text":                                    "plain text",
	} {
		if got := slackin.PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A delivery failure with 40300 (the recipient sent STOP) also marks the
// conversation opted out.
func TestOutboundDeliveryFailure40300MarksOptedOut(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	ts := h.replyAndSettle(c, "hi")
	m := h.outbound(obChannel + ":" + ts)
	h.postTelnyx(deliveryReport("ev-fin", telnyxhook.EventMessageFinalized, *m.TelnyxID, "delivery_failed",
		telnyx.ErrorEntry{Code: "40300", Title: "Blocked due to STOP message"}))
	h.settle()
	if conv, _ := h.st.Conversation(context.Background(), c.ID); !conv.OptedOut {
		t.Fatal("conversation not opted out")
	}
	if !strings.Contains(strings.Join(h.threadTexts(c), "\n"), "Blocked due to STOP message (error 40300)") {
		t.Fatalf("thread: %v", h.threadTexts(c))
	}
}

// A reply in a conversation's previous thread (it moved to a new one after
// a long silence) is not sent; the old thread says where to reply.
func TestOutboundReplyInPreviousThreadIsAnsweredNotSent(t *testing.T) {
	h := newOB(t)
	old := h.conversation()
	ctx := context.Background()
	ref, _ := h.poster.PostHeader(ctx, obChannel, bridge.HeaderOf(old))
	h.st.UpdateConversation(ctx, old.ID, map[string]any{"prev_channel": old.Channel, "prev_thread_ts": old.ThreadTS, "thread_ts": ref.TS})
	h.start()
	h.replyAndSettle(old, "replying in the old thread")
	if h.tx.attempts() != 0 {
		t.Fatal("a reply in the previous thread was sent")
	}
	if texts := strings.Join(h.threadTexts(old), "\n"); !strings.Contains(texts, "continues in a newer thread") {
		t.Fatalf("old thread: %s", texts)
	}
}

// A reply Telnyx keeps refusing to take (rate limited for over an hour) is
// not retried forever: the thread says it was not sent and offers Send again.
func TestOutboundGivesUpOnLongUnsendableAndOffersSendAgain(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	for range 2 { // two engine attempts of the client's four tries each
		h.tx.failNext(failRateLimited, failRateLimited, failRateLimited, failRateLimited)
	}
	h.start()
	body, ts := h.reply(c, "hi")
	h.postEvent(body, 0)
	deadline := time.Now().Add(5 * time.Second)
	for (h.tx.attempts() < 4 || h.outbound(obChannel+":"+ts).Status != store.OutPending) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	h.clock.Advance(61 * time.Minute)
	h.settle()
	m := h.outbound(obChannel + ":" + ts)
	if m.Status != store.OutNotSent || len(h.tx.sends()) != 0 || h.tx.attempts() != 8 {
		t.Fatalf("status %s, %d sends, %d attempts", m.Status, len(h.tx.sends()), h.tx.attempts())
	}
	replies := h.slack.ThreadReplies(c.Channel, c.ThreadTS)
	last := replies[len(replies)-1]
	if !slices.Contains(last.ActionIDs(), bridge.ActionSendAgain) || !strings.Contains(last.BlockText(), "Nothing reached the phone") {
		t.Fatalf("thread: %s", last.BlockText())
	}
	h.pressSendAgain(strconv.FormatUint(m.ID, 10))
	h.settle()
	if n := len(h.tx.sends()); n != 1 {
		t.Fatalf("%d sends after Send again", n)
	}
	if r := h.slack.Reactions(obChannel, ts); !slices.Equal(r, []string{bridge.ReactQueued}) {
		t.Fatalf("reactions %v", r)
	}
}

// A reply that came in just before the conversation moved to a new thread
// is not sent, and the teammate is told so in the thread they wrote in.
func TestOutboundReplyWhoseConversationMovedIsAnsweredNotSent(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	ctx := context.Background()
	body, _ := h.reply(c, "written a moment before the move")
	h.postEvent(body, 0) // committed, not yet worked
	ref, _ := h.poster.PostHeader(ctx, obChannel, bridge.HeaderOf(c))
	h.st.UpdateConversation(ctx, c.ID, map[string]any{"prev_channel": c.Channel, "prev_thread_ts": c.ThreadTS, "thread_ts": ref.TS})
	h.start()
	h.settle()
	if h.tx.attempts() != 0 {
		t.Fatal("a reply in a thread the conversation had left was sent")
	}
	if texts := strings.Join(h.threadTexts(c), "\n"); !strings.Contains(texts, "continues in a newer thread") {
		t.Fatalf("old thread: %s", texts)
	}
}

package bot

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/smscmd/schedule"
	"github.com/smsbridge/smsbridge/store"
)

// newQuietEnv is /sms with the default quiet hours (21:00-08:00 their
// time); the clock's 12:00 UTC is 6:00 in Chicago, where remote is.
func newQuietEnv(t *testing.T) *smsEnv {
	e := newSMSEnv(t)
	e.quiet = bridge.DefaultQuietHours
	e.restart()
	return e
}

func TestSendIntoQuietHoursAsksAndSendsOnlyWhenConfirmed(t *testing.T) {
	e := newQuietEnv(t)
	msg, url := e.run(userAlice, chSupport, "send "+remote+" Your order shipped")
	e.settle()
	mustContain(t, msg.Text, "Not sent yet.", "It would arrive at 6:00 am for +13125550123 (America/Chicago), inside the quiet hours (21:00–08:00 their time)",
		"schedule it for 8:00 am their time?")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("a quiet-hours send went before it was confirmed (%d requests)", n)
	}
	e.press(userAlice, schedule.ActionQuietSend, buttonValue(t, msg, schedule.ActionQuietSend), url)
	if got := e.only("POST /messages"); got["to"] != remote || got["text"] != "Your order shipped" || got["from"] != ourNumber {
		t.Fatalf("the confirmed send: %v", got)
	}
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !posts[0].ReplaceOriginal || !strings.Contains(posts[0].Text, "Sending to") {
		t.Fatalf("the question is not replaced by the answer: %+v", posts)
	}
	// Pressing Send anyway again sends nothing more.
	e.press(userAlice, schedule.ActionQuietSend, buttonValue(t, msg, schedule.ActionQuietSend), url)
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("Send anyway twice: %d sends", n)
	}
	// Said up front, it goes at once.
	mustContain(t, e.text(userAlice, chSupport, "send --confirm-quiet "+remote+" Second one"), "Sending to")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 2 {
		t.Fatalf("--confirm-quiet: %d sends, want 2", n)
	}
}

func TestSendIntoQuietHoursCanBeScheduledForTheirMorning(t *testing.T) {
	e := newQuietEnv(t)
	msg, url := e.run(userAlice, chSupport, "send "+remote+" Your order shipped")
	e.settle()
	e.press(userAlice, schedule.ActionQuietSchedule, buttonValue(t, msg, schedule.ActionQuietSchedule), url)
	if body := e.only("POST /messages/schedule"); body["send_at"] != "2026-11-26T14:00:00Z" || body["text"] != "Your order shipped" {
		t.Fatalf("scheduled: %v, want 8:00 Chicago time (14:00 UTC)", body)
	}
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("scheduling also sent it now (%d)", n)
	}
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "Scheduled #") || !strings.Contains(posts[0].Text, "their time 8:00 am (America/Chicago)") {
		t.Fatalf("answer: %+v", posts)
	}
}

func TestScheduleIntoQuietHoursIsRefusedWithTheReasonUnlessConfirmed(t *testing.T) {
	e := newQuietEnv(t)
	// Alice is in New York: 7am hers is 6am in Chicago.
	got := e.text(userAlice, chSupport, "schedule tomorrow 7am "+remote+" Reminder")
	mustContain(t, got, "Not scheduled: It would arrive at 6:00 am for +13125550123", "add --confirm-quiet", "or for 8:00 am their time?")
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("a refused schedule reached Telnyx (%d requests)", n)
	}
	mustContain(t, e.text(userAlice, chSupport, "schedule --confirm-quiet tomorrow 7am "+remote+" Reminder"), "Scheduled #")
	if body := e.only("POST /messages/schedule"); body["send_at"] != "2026-11-27T12:00:00Z" {
		t.Fatalf("confirmed schedule: %v", body)
	}
}

func TestScheduleAtTheirTimeReadsTheRecipientsClock(t *testing.T) {
	e := newQuietEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "schedule --their-time tomorrow 9am "+remote+" Reminder one"), "Scheduled #", "their time 9:00 am (America/Chicago)")
	mustContain(t, e.text(userAlice, chSupport, "schedule their tomorrow 9:30am "+remote+" Reminder two"), "Scheduled #")
	reqs := e.tx.RequestsTo("POST /messages/schedule")
	if len(reqs) != 2 || reqs[0].BodyMap()["send_at"] != "2026-11-27T15:00:00Z" || reqs[1].BodyMap()["send_at"] != "2026-11-27T15:30:00Z" {
		t.Fatalf("their 9am / 9:30am: %v", reqs)
	}
	mustContain(t, e.text(userAlice, chSupport, "schedule --their-time tomorrow 9am +18445550009 Hi"), "Cannot use their time", "give the time in yours")
	mustContain(t, e.text(userAlice, chSupport, "send --their-time "+remote+" Hi"), "--their-time is for /sms schedule")
}

func TestThreadReplyInQuietHoursIsHeldWithSendAnywayAndSchedule(t *testing.T) {
	e := newQuietEnv(t)
	e.inbound(remote, ourNumber, "what's the code?")
	c := e.conv(store.KindSMS, ourNumber, remote)
	e.reply(c, "It is 4411")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 0 {
		t.Fatalf("a reply typed in their quiet hours was sent (%d)", n)
	}
	replies := e.slack.ThreadReplies(c.Channel, c.ThreadTS)
	note := replies[len(replies)-1]
	mustContain(t, note.BlockText(), "Held, not sent: It would arrive at 6:00 am")
	ms, _ := e.st.RecentMessages(e.ctx, c.ID, 10)
	held := ms[0]
	if held.Status != store.OutHeldQuiet {
		t.Fatalf("the reply's outbox entry is %q, want held", held.Status)
	}
	buttons := map[string]string{}
	blocks, _ := note.SlackBlocks()
	for _, b := range blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					buttons[btn.ActionID] = btn.Text.Text
				}
			}
		}
	}
	if buttons[bridge.ActionSendAgain] != "Send anyway" || buttons[bridge.ActionScheduleQuiet] != "Schedule for 8:00 am their time" {
		t.Fatalf("held note buttons: %v", buttons)
	}
	e.press(userAlice, bridge.ActionScheduleQuiet, itoa(int(held.ID)), e.slack.ResponseURL())
	if body := e.only("POST /messages/schedule"); body["send_at"] != "2026-11-26T14:00:00Z" || body["text"] != "It is 4411" {
		t.Fatalf("the held reply scheduled: %v", body)
	}
	e.reply(c, "Second held one")
	ms, _ = e.st.RecentMessages(e.ctx, c.ID, 10)
	second := ms[0]
	e.press(userAlice, bridge.ActionSendAgain, itoa(int(second.ID)), "")
	if got := e.only("POST /messages"); got["text"] != "Second held one" {
		t.Fatalf("Send anyway on a held reply: %v", got)
	}
}

func TestThreadHeaderShowsTheContactsLocalTime(t *testing.T) {
	e := newSMSEnv(t)                              // 12:00 UTC
	e.inbound(remote, ourNumber, "hi")             // Chicago
	e.inbound("+819012345678", ourNumber, "hello") // Tokyo
	e.inbound("+18445550077", ourNumber, "hey")    // toll-free: no zone
	headers := e.slack.Messages(chSupport)
	if len(headers) != 3 {
		t.Fatalf("%d headers", len(headers))
	}
	mustContain(t, headers[0].BlockText(), "their time 6:00 am (America/Chicago)")
	mustContain(t, headers[1].BlockText(), "their time 9:00 pm (Asia/Tokyo)")
	if strings.Contains(headers[2].BlockText(), "their time") {
		t.Errorf("a number with no zone shows a time: %s", headers[2].BlockText())
	}
}

// A refused schedule carries its own answers (a modal has no
// --confirm-quiet): Schedule anyway keeps the time, the other button moves
// it to the end of their night.
func TestScheduleIntoQuietHoursCanBeConfirmedOrMovedByButton(t *testing.T) {
	e := newQuietEnv(t)
	msg, url := e.run(userAlice, chSupport, "schedule tomorrow 7am "+remote+" Reminder")
	e.settle()
	mustContain(t, msg.Text, "Not scheduled: It would arrive at 6:00 am")
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("a refused schedule reached Telnyx (%d requests)", n)
	}
	e.press(userAlice, schedule.ActionQuietScheduleAt, buttonValue(t, msg, schedule.ActionQuietScheduleAt), url)
	if body := e.only("POST /messages/schedule"); body["send_at"] != "2026-11-27T12:00:00Z" || body["text"] != "Reminder" {
		t.Fatalf("Schedule anyway: %v, want the time asked for (7am New York)", body)
	}
	if posts := e.slack.ResponsePosts(url); len(posts) != 1 || !posts[0].ReplaceOriginal || !strings.Contains(posts[0].Text, "Scheduled #") {
		t.Fatalf("the refusal is not replaced by the answer: %+v", posts)
	}

	msg, url = e.run(userAlice, chSupport, "schedule tomorrow 7am "+remote+" Second")
	e.settle()
	e.press(userAlice, schedule.ActionQuietSchedule, buttonValue(t, msg, schedule.ActionQuietSchedule), url)
	reqs := e.tx.RequestsTo("POST /messages/schedule")
	if len(reqs) != 2 || reqs[1].BodyMap()["send_at"] != "2026-11-27T14:00:00Z" || reqs[1].BodyMap()["text"] != "Second" {
		t.Fatalf("Schedule for their 8:00: %v, want 14:00 UTC", reqs)
	}
}

// The quiet-hours question is answered once: a second press of either
// button (a double click, or Schedule after Send anyway) sends and
// schedules nothing more.
func TestQuietHoursQuestionIsAnsweredOnce(t *testing.T) {
	e := newQuietEnv(t)
	msg, url := e.run(userAlice, chSupport, "schedule tomorrow 7am "+remote+" Reminder")
	e.settle()
	e.press(userAlice, schedule.ActionQuietScheduleAt, buttonValue(t, msg, schedule.ActionQuietScheduleAt), url)
	e.press(userAlice, schedule.ActionQuietScheduleAt, buttonValue(t, msg, schedule.ActionQuietScheduleAt), url)
	e.press(userAlice, schedule.ActionQuietSchedule, buttonValue(t, msg, schedule.ActionQuietSchedule), url)
	if n := len(e.tx.RequestsTo("POST /messages/schedule")); n != 1 {
		t.Fatalf("a refused schedule's buttons pressed three times scheduled %d messages, want 1", n)
	}
	posts := e.slack.ResponsePosts(url)
	if last := posts[len(posts)-1]; !strings.Contains(last.Text, "already") {
		t.Fatalf("a second press is not told the question was answered: %q", last.Text)
	}

	msg, url = e.run(userAlice, chSupport, "send "+remote+" Your order shipped")
	e.settle()
	e.press(userAlice, schedule.ActionQuietSend, buttonValue(t, msg, schedule.ActionQuietSend), url)
	e.press(userAlice, schedule.ActionQuietSchedule, buttonValue(t, msg, schedule.ActionQuietSchedule), url)
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("Send anyway: %d sends, want 1", n)
	}
	if n := len(e.tx.RequestsTo("POST /messages/schedule")); n != 1 {
		t.Fatalf("Schedule after Send anyway scheduled it too (%d schedules, want the 1 from before)", n)
	}
}

package bot

import (
	"strings"
	"testing"
	"time"
)

func TestHoursCommandShowsSetsAndTurnsOffAsAnAdmin(t *testing.T) {
	e := newSMSEnv(t) // Thursday 2026-11-26 12:00 UTC: 07:00 in New York
	mustContain(t, e.text(userAlice, chInbox, "hours"), "No number has business hours")
	mustContain(t, e.text(userAlice, chInbox, "hours "+ourNumber), "no business hours set: open at all times")

	got := e.text(userAdmin, chInbox, "hours "+ourNumber+" set Mon-Fri 9:00-17:30 sat 10:00-14:00 America/New_York")
	mustContain(t, got, "Done: open mon-fri 09:00-17:30, sat 10:00-14:00 (America/New_York).",
		"Closed now; opens Thu 26 Nov 09:00 EST.", "No auto-reply.")
	mustContain(t, e.text(userAdmin, chInbox, `hours `+ourNumber+` reply "We're closed; we answer from 9:00 ET on weekdays."`),
		"Auto-reply outside these hours: We're closed; we answer from 9:00 ET on weekdays.")
	mustContain(t, e.text(userAdmin, chInbox, "hours "+ourNumber+" holiday 2026-11-26"), "closed all day on 2026-11-26",
		"Holidays: 2026-11-26.", "opens Fri 27 Nov 09:00 EST")
	mustContain(t, e.text(userAdmin, chInbox, "hours "+ourNumber+" holiday 2026-12-25"), "Holidays: 2026-11-26, 2026-12-25.")
	mustContain(t, e.text(userAdmin, chInbox, "hours "+ourNumber+" holiday remove 2026-11-26"), "2026-11-26 is no longer a holiday", "Holidays: 2026-12-25.")
	e.clock.Advance(3 * time.Hour) // 10:00 in New York, and no longer a holiday
	mustContain(t, e.text(userAlice, chInbox, "hours"), "*+1 844-555-0001*: open mon-fri 09:00-17:30, sat 10:00-14:00 (America/New_York). Open now.")
	// Every change is announced in the inbox channel with who made it.
	notices := e.slack.Messages(chInbox)
	if n := len(notices); n != 5 || !strings.Contains(notices[0].Text, "<@UADMIN> changed the business hours of +18445550001") {
		t.Fatalf("admin notices: %d %+v", n, notices)
	}

	mustContain(t, e.text(userAdmin, chInbox, "hours "+ourNumber+" reply off"), "No auto-reply.")
	mustContain(t, e.text(userAdmin, chInbox, "hours "+ourNumber+" off"), "hours off", "no business hours set: open at all times.")
	if got := e.text(userAlice, chInbox, "hours"); !strings.Contains(got, "No number has business hours") {
		t.Fatalf("after off: %q", got)
	}
}

func TestHoursCommandRefusesANonAdminAndChangesNothing(t *testing.T) {
	e := newSMSEnv(t)
	for _, cmd := range []string{"set mon-fri 09:00-17:00 America/New_York", "holiday 2026-12-25", `reply "closed"`, "off"} {
		got := e.text(userAlice, chInbox, "hours "+ourNumber+" "+cmd)
		mustContain(t, got, "changing business hours is for smsbridge admins")
	}
	mustContain(t, e.text(userAlice, chInbox, "hours "+ourNumber), "no business hours set", "No auto-reply.")
	if hs, _ := e.br.AllHours(e.ctx); len(hs) != 0 {
		t.Fatalf("a non-admin's change was stored: %+v", hs[0])
	}
}

func TestHoursCommandAnswersMalformedHoursWithWhatIsWrongAndTheUsage(t *testing.T) {
	e := newSMSEnv(t)
	for _, c := range []struct{ cmd, why string }{
		{"set mon-fri 9am-5pm America/New_York", `"9am" is not a time of day`},
		{"set mon-fri 17:00-09:00 America/New_York", "closes before it opens"},
		{"set mon-fry 09:00-17:00 America/New_York", `"mon-fry" is not a day`},
		{"set mon-fri 09:00-17:00 Eastern", `"Eastern" is not a time zone`},
		{"set mon-fri 09:00-17:00", "give days, times and a time zone"},
		{"holiday 25/12/2026", "is not a date; write it as YYYY-MM-DD"},
		{"holiday remove 2026-07-04", "2026-07-04 is not one of its holidays"},
		{"reply", "give the auto-reply's text"},
		{"reply " + strings.Repeat("We are closed. ", 120), "SMS segments"},
		{"off now", "off takes nothing after it"},
		{"open", "`open` is not something /sms hours does"},
	} {
		got := e.text(userAdmin, chInbox, "hours "+ourNumber+" "+c.cmd)
		mustContain(t, got, c.why, "Usage: `/sms hours")
	}
	mustContain(t, e.text(userAdmin, chInbox, "hours 12"), "Usage: `/sms hours")
	if hs, _ := e.br.AllHours(e.ctx); len(hs) != 0 {
		t.Fatalf("malformed hours were stored: %+v", hs[0])
	}
}

func TestHoursSetByCommandAutoRepliesOutsideThemThroughFakeTelnyx(t *testing.T) {
	e := newSMSEnv(t) // 07:00 in New York: closed
	e.text(userAdmin, chInbox, "hours "+ourNumber+" set mon-fri 09:00-17:00 America/New_York")
	e.text(userAdmin, chInbox, `hours `+ourNumber+` reply "Thanks, we open at 9:00 ET."`)
	e.inbound(remote, ourNumber, "hello, anyone there?")
	e.inbound(remote, ourNumber, "hello??")
	sent := e.tx.RequestsTo("POST /messages")
	if len(sent) != 1 || sent[0].BodyMap()["text"] != "Thanks, we open at 9:00 ET." || sent[0].BodyMap()["to"] != remote {
		t.Fatalf("auto-replies sent: %d %v", len(sent), sent)
	}
	c := e.conv("sms", ourNumber, remote)
	var thread []string
	for _, r := range e.slack.ThreadReplies(c.Channel, c.ThreadTS) {
		thread = append(thread, r.BlockText())
	}
	// In order: the text (it rides in the header), the auto-reply noted,
	// the next text.
	if len(thread) != 2 || !strings.Contains(thread[0], "Auto-reply (outside business hours): Thanks, we open at 9:00 ET.") {
		t.Fatalf("thread: %q", thread)
	}
	// Inside hours a new conversation gets none.
	e.clock.Advance(3 * time.Hour)
	e.inbound("+13125550124", ourNumber, "hi")
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("a text inside hours got an auto-reply (%d sends)", n)
	}
}

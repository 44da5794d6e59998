package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/store"
)

func TestScheduleTomorrowInTeammatesZoneGoesToTelnyxWithCancelButton(t *testing.T) {
	e := newSMSEnv(t)
	// Now is Thu 26 Nov 2026 12:00 UTC, 07:00 in Alice's New York.
	msg, _ := e.run(userAlice, chSupport, "schedule tomorrow 9am (312) 555-0123 Reminder: your table is at 10")
	e.settle()
	mustContain(t, msg.Text, "Scheduled #1", "Fri 27 Nov 2026 09:00 EST", "2026-11-27 14:00 UTC", "being handed to Telnyx now")
	mustContain(t, string(mustJSON(t, msg.Blocks)), bridge.ActionCancelScheduled)

	body := e.only("POST /messages/schedule")
	if body["send_at"] != "2026-11-27T14:00:00Z" || body["from"] != ourNumber || body["to"] != remote || body["text"] != "Reminder: your table is at 10" {
		t.Errorf("POST /messages/schedule body = %v", body)
	}
	m, err := e.st.Scheduled(e.ctx, 1)
	if err != nil || m.Status != store.SchedHanded || m.TelnyxID == nil {
		t.Fatalf("scheduled row = %+v, %v", m, err)
	}
	if _, err := e.st.MessageByTelnyxID(e.ctx, *m.TelnyxID); err != nil {
		t.Errorf("the outbound message is not recorded for its delivery webhooks: %v", err)
	}
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil || conv.ThreadTS == "" {
		t.Fatalf("no conversation thread: %v", err)
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Scheduled (#1)") || !containsAction(replies[0].ActionIDs(), bridge.ActionCancelScheduled) {
		t.Errorf("thread note = %+v", replies)
	}
}

func containsAction(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestScheduleRefusals(t *testing.T) {
	tests := []struct {
		name, cmd string
		want      []string
	}{
		{"time in the past", "schedule 2026-11-25 09:00 +13125550123 hi", []string{"in the past", "Usage: `/sms schedule"}},
		{"under five minutes away", "schedule in 3m +13125550123 hi", []string{"only 3m0s away", "at least 5m"}},
		{"bad time", "schedule tomorrow 25:00 +13125550123 hi", []string{"not a time of day", "Usage:"}},
		{"skipped by daylight saving", "schedule 2027-03-14 02:30 +13125550123 hi", []string{"does not exist", "America/New_York"}},
		{"no number", "schedule tomorrow 9am hello there", []string{"Could not find a phone number"}},
		{"missing arguments", "schedule tomorrow", []string{"Missing arguments", "Usage:"}},
		{"missing text", "schedule tomorrow 9am +13125550123", []string{"Missing the text"}},
		{"nothing", "schedule", []string{"Missing the time", "Usage:"}},
		{"pool", "schedule --pool tomorrow 9am +13125550123 hi", []string{"--pool is not available"}},
		{"an hour count that overflows", "schedule in 750599937895083h +13125550123 hi", []string{"too far ahead", "Usage:"}},
		{"the year 9999", "schedule 9999-12-31 09:00 +13125550123 hi", []string{"too far ahead", "at most 365 days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSMSEnv(t)
			mustContain(t, e.text(userAlice, chSupport, tt.cmd), tt.want...)
			if n := len(e.tx.Requests()); n != 0 {
				t.Errorf("a refused schedule reached Telnyx %d times", n)
			}
			if ms, _ := e.sched.Pending(e.ctx, 10); len(ms) != 0 {
				t.Errorf("a refused schedule was stored: %+v", ms)
			}
		})
	}
}

func TestScheduleTenDaysAheadIsHeldHandedOverOnceSurvivesRestartAndCancels(t *testing.T) {
	e := newSMSEnv(t)
	sendAt := e.clock.Now().Add(10 * 24 * time.Hour) // 2026-12-06 12:00 UTC
	msg, _ := e.run(userAlice, chSupport, "schedule 2026-12-06T12:00:00Z +13125550123 Ten days on")
	mustContain(t, msg.Text, "Scheduled #1", "smsbridge holds it")
	mustContain(t, e.text(userAlice, chSupport, "schedule in 10 days +13125550123 Cancel me"), "Scheduled #2", "smsbridge holds it")
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("a message 10 days ahead went to Telnyx at once (%d requests)", n)
	}

	e.restart()
	list := e.text(userAlice, chSupport, "scheduled")
	mustContain(t, list, "#1", "#2", "Ten days on", "Cancel me", "held", "Sun 6 Dec 2026 07:00 EST")

	// Cancelled while held: dropped here, Telnyx never hears of it.
	mustContain(t, e.text(userAlice, chSupport, "cancel 2"), "Cancelled scheduled message 2")
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("cancelling a held message called Telnyx")
	}

	e.clock.Advance(4 * 24 * time.Hour) // 6 days ahead: still outside the window
	e.tick()
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("handed over 6 days ahead")
	}

	e.clock.Advance(26 * time.Hour) // 4 days 22 hours ahead: inside the window
	for range 3 {
		e.tick()
	}
	e.restart()
	e.tick()
	reqs := e.tx.RequestsTo("POST /messages/schedule")
	if len(reqs) != 1 || len(e.tx.Requests()) != 1 {
		t.Fatalf("hand-off requests = %d (all requests %d), want exactly 1", len(reqs), len(e.tx.Requests()))
	}
	body := reqs[0].BodyMap()
	if body["send_at"] != sendAt.Format(time.RFC3339) || body["text"] != "Ten days on" || body["from"] != ourNumber || body["to"] != remote {
		t.Errorf("hand-off body = %v", body)
	}
	one, _ := e.st.Scheduled(e.ctx, 1)
	two, _ := e.st.Scheduled(e.ctx, 2)
	if one.Status != store.SchedHanded || one.TelnyxID == nil || two.Status != store.SchedCancelled || two.CancelledBy != userAlice {
		t.Fatalf("after hand-off: #1 %s, #2 %s by %s", one.Status, two.Status, two.CancelledBy)
	}

	// Once Telnyx has it, cancelling is DELETE /messages/{id}.
	mustContain(t, e.text(userAlice, chSupport, "cancel #1"), "Cancelled scheduled message #1")
	del := e.tx.RequestsTo("DELETE /messages/{id}")
	if len(del) != 1 || del[0].Params["id"] != *one.TelnyxID {
		t.Fatalf("DELETE requests = %+v", del)
	}
	if ms, _ := e.sched.Pending(e.ctx, 10); len(ms) != 0 {
		t.Errorf("still pending after cancel: %+v", ms)
	}
}

func TestCancelTelnyxRefusesIsExplained(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule in 2h +13125550123 soon")
	e.tx.Enqueue("DELETE /messages/{id}", faketelnyx.Error(422, "40018", "Message cannot be cancelled", "the message is being sent"))
	mustContain(t, e.text(userAlice, chSupport, "cancel 1"), "Cannot cancel 1", "Telnyx refused", "cannot be cancelled")
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedHanded {
		t.Errorf("status after a refused cancel = %s, want handed", m.Status)
	}
	mustContain(t, e.text(userAlice, chSupport, "cancel 99"), "no scheduled message 99")
	mustContain(t, e.text(userAlice, chSupport, "cancel"), "Give the id", "Usage:")
}

func TestCancelButtonCancelsHeldMessage(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule in 3 weeks +13125550123 later")
	url := e.slack.ResponseURL()
	e.press(userAlice, bridge.ActionCancelScheduled, "1", url)
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "Cancelled") {
		t.Fatalf("button answer = %+v", posts)
	}
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedCancelled {
		t.Errorf("status = %s", m.Status)
	}
}

func TestInterruptedHandOffIsNeverResent(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule in 10 days +13125550123 maybe sent")
	e.clock.Advance(5*24*time.Hour + 2*time.Hour)
	// The process dies after recording the claim, before Telnyx answers.
	if ok, err := e.st.UpdateScheduledIf(e.ctx, 1, store.SchedHeld, map[string]any{"status": store.SchedHanding, "handoff_at": e.clock.Now()}); !ok || err != nil {
		t.Fatal("claim", ok, err)
	}
	e.restart()
	e.sched.Tick(e.ctx) // within the hand-off timeout: maybe still in flight elsewhere
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedHanding {
		t.Fatalf("status = %s, want handing while the hand-off may be in flight", m.Status)
	}
	e.clock.Advance(10 * time.Minute)
	e.tick()
	e.tick()
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("an interrupted hand-off was resent (%d requests)", n)
	}
	m, _ := e.st.Scheduled(e.ctx, 1)
	if m.Status != store.SchedUnknown {
		t.Fatalf("status = %s, want unknown", m.Status)
	}
	conv, _ := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	if last := replies[len(replies)-1]; !strings.Contains(last.Text, "may or may not have reached Telnyx") {
		t.Errorf("the team was not told: %q", last.Text)
	}
	mustContain(t, e.text(userAlice, chSupport, "cancel 1"), "Cannot cancel 1", "unknown")
}

func TestHeldMessageIsNotHandedOverAfterRecipientOptsOut(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule in 2 weeks +13125550123 promo")
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatal(err)
	}
	// An opt-out recorded without the STOP hooks running (a STOP cancels
	// what is scheduled at once; see TestStopCancelsHeldAndHandedMessages):
	// the hand-off asks the policy again.
	if _, err := e.st.AddOptOut(e.ctx, &store.OptOut{Remote: remote, OurNumber: ourNumber, Source: store.OptOutKeyword, Keyword: "STOP"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * 24 * time.Hour)
	e.tick()
	if n := len(e.tx.Requests()); n != 0 {
		t.Fatalf("an opted-out recipient's message was handed to Telnyx")
	}
	m, _ := e.st.Scheduled(e.ctx, 1)
	if m.Status != store.SchedFailed || !strings.Contains(m.LastError, "opted out") {
		t.Errorf("scheduled = %s %q", m.Status, m.LastError)
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	mustContain(t, replies[len(replies)-1].Text, "was not sent", "opted out")
}

func TestHandOffFailuresAreRetriedOnlyWhenNothingReachedTelnyx(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "schedule in 12 days +13125550123 first")
	e.text(userAlice, chSupport, "schedule in 12 days +13125550123 second")
	e.clock.Advance(8 * 24 * time.Hour)

	// #1: rate limited (429: Telnyx did not act on it) → retried later.
	// #2: 503 (Telnyx may have scheduled it) → unknown, never resent.
	e.tx.Enqueue("POST /messages/schedule",
		faketelnyx.Response{Status: 429, Header: map[string][]string{"Retry-After": {"1"}}, Body: map[string]any{"errors": []any{map[string]any{"code": "10011", "title": "Too many requests"}}}},
		faketelnyx.Response{Status: 503, Body: map[string]any{"errors": []any{map[string]any{"code": "10009", "title": "Service unavailable"}}}})
	e.tick()
	one, _ := e.st.Scheduled(e.ctx, 1)
	two, _ := e.st.Scheduled(e.ctx, 2)
	if one.Status != store.SchedHeld || one.NextAttemptAt == nil || two.Status != store.SchedUnknown {
		t.Fatalf("after failures: #1 %s (next %v), #2 %s", one.Status, one.NextAttemptAt, two.Status)
	}
	e.sched.Tick(e.ctx) // before the backoff: nothing
	if n := len(e.tx.RequestsTo("POST /messages/schedule")); n != 2 {
		t.Fatalf("%d hand-off requests before the backoff ran out, want 2", n)
	}
	e.clock.Advance(2 * time.Minute)
	e.tick()
	e.tick()
	reqs := e.tx.RequestsTo("POST /messages/schedule")
	if len(reqs) != 3 || reqs[2].BodyMap()["text"] != "first" {
		t.Fatalf("hand-off requests = %d, want the rate-limited one retried once", len(reqs))
	}
	one, _ = e.st.Scheduled(e.ctx, 1)
	two, _ = e.st.Scheduled(e.ctx, 2)
	if one.Status != store.SchedHanded || two.Status != store.SchedUnknown {
		t.Errorf("final: #1 %s, #2 %s", one.Status, two.Status)
	}
}

func TestScheduleTelnyxRefusesIsNotShownAsScheduled(t *testing.T) {
	e := newSMSEnv(t)
	e.tx.Enqueue("POST /messages/schedule", faketelnyx.Error(422, "40300", "Blocked due to STOP message", "to has opted out"))
	e.text(userAlice, chSupport, "schedule tomorrow 9am +13125550123 promo")
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil || conv.ThreadTS == "" {
		t.Fatalf("no thread for the refusal: %v", err)
	}
	for _, r := range e.slack.ThreadReplies(chSupport, conv.ThreadTS) {
		if strings.Contains(r.Text, "Scheduled (#1)") || containsAction(r.ActionIDs(), bridge.ActionCancelScheduled) {
			t.Errorf("a schedule Telnyx refused is shown as scheduled: %q", r.Text)
		}
	}
	replies := e.slack.ThreadReplies(chSupport, conv.ThreadTS)
	mustContain(t, replies[len(replies)-1].Text, "refused scheduled message #1", "opted out")
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedFailed {
		t.Errorf("status %s, want failed", m.Status)
	}
}

func TestHandOffsThatSendNowArePacedBySender(t *testing.T) {
	e := newSMSEnv(t)
	// Our test number is toll-free (20/s); hold it to 1 a second.
	e.sched.Pacer = bridge.NewPacer(e.st, bridge.SenderRates{ourNumber: {PerSecond: 1, Burst: 1}}, e.clock.Now)
	e.text(userAlice, chSupport, "schedule in 10 days +13125550123 first")
	e.text(userAlice, chSupport, "schedule in 10 days +13125550124 second")
	// smsbridge was down when they came into Telnyx's window and due: both
	// go out now, one after the other at the sender's rate.
	e.clock.Advance(10*24*time.Hour + time.Minute)
	e.tick()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 1 {
		t.Fatalf("%d sent at once from one long code, want 1 (the other waits its turn)", n)
	}
	e.clock.Advance(2 * time.Second)
	e.settle()
	if n := len(e.tx.RequestsTo("POST /messages")); n != 2 {
		t.Fatalf("%d sent after the sender's next turn, want 2", n)
	}
	for _, id := range []uint64{1, 2} {
		if m, _ := e.st.Scheduled(e.ctx, id); m.Status != store.SchedHanded {
			t.Errorf("#%d is %s, want handed", id, m.Status)
		}
	}
}

func TestOnlyTheAuthorTheAssigneeOrAnAdminMayCancel(t *testing.T) {
	e := newSMSEnv(t)
	const bob, carol = "UBOB", "UCAROL"
	e.text(userAlice, chSupport, "schedule in 2 weeks +13125550123 one")
	e.text(userAlice, chSupport, "schedule in 2 weeks +13125550123 two")
	e.text(userAlice, chSupport, "schedule in 2 weeks +13125550123 three")
	mustContain(t, e.text(bob, chSupport, "cancel 1"), "Cannot cancel 1", "only the teammate who scheduled it", "<@"+userAlice+"> scheduled it")
	if m, _ := e.st.Scheduled(e.ctx, 1); m.Status != store.SchedHeld {
		t.Fatalf("a stranger's cancel changed it: %s", m.Status)
	}
	// The conversation's assignee may.
	c, _ := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	e.st.UpdateConversation(e.ctx, c.ID, map[string]any{"state": store.StateClaimed, "assignee_id": carol})
	mustContain(t, e.text(carol, chSupport, "cancel 1"), "Cancelled scheduled message 1")
	// An admin may; the author may.
	mustContain(t, e.text(userAdmin, chSupport, "cancel 2"), "Cancelled scheduled message 2")
	mustContain(t, e.text(userAlice, chSupport, "cancel 3"), "Cancelled scheduled message 3")
	for id, who := range map[uint64]string{1: carol, 2: userAdmin, 3: userAlice} {
		if m, _ := e.st.Scheduled(e.ctx, id); m.CancelledBy != who {
			t.Errorf("#%d cancelled by %q, want %q", id, m.CancelledBy, who)
		}
	}
	// The notes say who cancelled.
	var notes []string
	for _, r := range e.slack.ThreadReplies(chSupport, c.ThreadTS) {
		if strings.Contains(r.Text, "was cancelled") {
			notes = append(notes, r.Text)
		}
	}
	if len(notes) != 3 || !strings.Contains(strings.Join(notes, "\n"), "<@"+carol+">") {
		t.Errorf("cancel notes = %q", notes)
	}
	// A message smsbridge did not schedule: only an admin.
	mustContain(t, e.text(bob, chSupport, "cancel 40385f64-5717-4562-b3fc-2c963f66afa6"), "Cannot cancel", "an admin")
}

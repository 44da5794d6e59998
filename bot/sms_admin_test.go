package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/smscmd/ournumbers"
	"github.com/smsbridge/smsbridge/smscmd/records"
	"github.com/smsbridge/smsbridge/store"
)

func TestNumbersListsProfileProductTypeAndHealth(t *testing.T) {
	e := newSMSEnv(t)
	reply := e.text(userAlice, chSupport, "numbers")
	mustContain(t, reply, "+1 844-555-0001", "+1 844-555-0002", faketelnyx.DefaultProfileID, "P2P", "longcode")
	if r := e.tx.RequestsTo("GET /phone_numbers/messaging"); len(r) != 1 || r[0].Query.Get("page[size]") != "50" {
		t.Errorf("list request = %+v", r)
	}
	mustContain(t, e.text(userAlice, chSupport, "numbers --mobile"), "+1 312-736-7407")
	if len(e.tx.RequestsTo("GET /mobile_phone_numbers/messaging")) != 1 {
		t.Error("--mobile did not list mobile numbers")
	}
	mustContain(t, e.text(userAlice, chSupport, "numbers --all"), "Unknown argument", "Usage:")
}

func TestNumberShowsOneNumbersSettings(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "number (844) 555-0001"), "+1 844-555-0001", faketelnyx.DefaultNumberID, "Product: P2P", "eligible: A2P, P2P")
	if r := e.tx.RequestsTo("GET /phone_numbers/messaging"); len(r) != 1 || r[0].Query.Get("filter[phone_number]") != ourNumber {
		t.Errorf("lookup = %+v", r)
	}
	mustContain(t, e.text(userAlice, chSupport, "number +13125559999"), "not one of our Telnyx numbers")
	mustContain(t, e.text(userAlice, chSupport, "number"), "Missing the number", "Usage:")
	mustContain(t, e.text(userAlice, chSupport, "number 12"), "not a phone number")
}

func TestNumberProductChangeNeedsAdminAndConfirmation(t *testing.T) {
	e := newSMSEnv(t)
	// Not an admin: refused, nothing changed.
	mustContain(t, e.text(userAlice, chSupport, "number +18445550001 product A2P"), "for smsbridge admins")
	if len(e.tx.RequestsTo("PATCH /phone_numbers/{id}/messaging")) != 0 {
		t.Fatal("a non-admin changed a number")
	}
	// An admin gets a confirmation button first.
	msg, _ := e.run(userAdmin, chSupport, "number +18445550001 product a2p")
	mustContain(t, msg.Text, "Change the messaging product", "`P2P` to `A2P`")
	if len(e.tx.RequestsTo("PATCH /phone_numbers/{id}/messaging")) != 0 {
		t.Fatal("changed before confirmation")
	}
	value := buttonValue(t, msg, ournumbers.ActionNumberConfirm)

	// A non-admin pressing the button changes nothing.
	url := e.slack.ResponseURL()
	e.press(userAlice, ournumbers.ActionNumberConfirm, value, url)
	if len(e.tx.RequestsTo("PATCH /phone_numbers/{id}/messaging")) != 0 {
		t.Fatal("a non-admin's button press changed a number")
	}
	e.press(userAdmin, ournumbers.ActionNumberConfirm, value, url)
	patch := e.tx.RequestsTo("PATCH /phone_numbers/{id}/messaging")
	if len(patch) != 1 || patch[0].Params["id"] != faketelnyx.DefaultNumberID || patch[0].BodyMap()["messaging_product"] != "A2P" {
		t.Fatalf("PATCH = %+v", patch)
	}
	posts := e.slack.ResponsePosts(url)
	mustContain(t, posts[len(posts)-1].Text, "Done", "A2P")
	// Logged with who made it, in the inbox channel.
	inbox := e.slack.Messages(chInbox)
	if len(inbox) != 1 || !strings.Contains(inbox[0].Text, "<@"+userAdmin+">") || !strings.Contains(inbox[0].Text, "product of +18445550001 to A2P") {
		t.Errorf("inbox notice = %+v", inbox)
	}
	mustContain(t, e.logs.String(), "admin change", "user="+userAdmin, `change="set the messaging product of +18445550001 to A2P"`)
	// A product the number is not eligible for is refused up front.
	mustContain(t, e.text(userAdmin, chSupport, "number +18445550001 product XYZ"), "cannot use product XYZ")
}

func TestNumberProfileChange(t *testing.T) {
	e := newSMSEnv(t)
	const newProfile = "16fd2706-8baf-433b-82eb-8c7fada847da"
	msg, _ := e.run(userAdmin, chSupport, "number +18445550002 profile "+newProfile)
	e.press(userAdmin, ournumbers.ActionNumberConfirm, buttonValue(t, msg, ournumbers.ActionNumberConfirm), e.slack.ResponseURL())
	patch := e.tx.RequestsTo("PATCH /phone_numbers/{id}/messaging")
	if len(patch) != 1 || patch[0].BodyMap()["messaging_profile_id"] != newProfile {
		t.Fatalf("PATCH = %+v", patch)
	}
	mustContain(t, e.text(userAdmin, chSupport, "number +18445550002 colour red"), "not \"colour\"", "Usage:")
}

func buttonValue(t *testing.T, msg *slack.Msg, actionID string) string {
	t.Helper()
	for _, b := range msg.Blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == actionID {
					return btn.Value
				}
			}
		}
	}
	t.Fatalf("no %s button in %+v", actionID, msg)
	return ""
}

func TestAdminCommandsRefuseNonAdmins(t *testing.T) {
	e := newSMSEnv(t)
	for _, cmd := range []string{"bulk " + faketelnyx.DefaultProfileID + " +18445550001", "route +18445550001 <#CNEW|new>"} {
		mustContain(t, e.text(userAlice, chSupport, cmd), "is for smsbridge admins")
	}
	if n := len(e.tx.Requests()); n != 0 {
		t.Errorf("a refused admin command reached Telnyx")
	}
	if rs, _ := e.st.Routes(e.ctx); len(rs) != 0 {
		t.Errorf("a refused route was stored")
	}
}

func TestRouteShowsAndSetsTheChannel(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAdmin, chSupport, "route +18445550001"), "go to <#"+chSupport+">")
	mustContain(t, e.text(userAdmin, chSupport, "route +18445550002"), "go to <#"+chInbox+">")
	mustContain(t, e.text(userAdmin, chSupport, "route (844) 555-0002 <#CSALES|sales>"), "now go to <#CSALES>")
	r, err := e.st.RouteFor(e.ctx, ourNumber2)
	if err != nil || r.Channel != "CSALES" || r.SetBy != userAdmin {
		t.Fatalf("stored route = %+v, %v", r, err)
	}
	if ch, _ := e.br.ChannelFor(e.ctx, ourNumber2); ch != "CSALES" {
		t.Errorf("ChannelFor = %s", ch)
	}
	inbox := e.slack.Messages(chInbox)
	if len(inbox) != 1 || !strings.Contains(inbox[0].Text, "<@"+userAdmin+"> routed +18445550002 to channel CSALES") {
		t.Errorf("inbox notice = %+v", inbox)
	}
	// A stored route overrides SLACK_ROUTES, and sending from #sales now
	// uses that number.
	mustContain(t, e.text(userAlice, "CSALES", "send +13125550123 hi"), "from +1 844-555-0002")
	// Slash command text is not escaped (manifest should_escape: false):
	// a channel typed as #name is looked up.
	e.slack.AddChannel(slack.Channel{GroupConversation: slack.GroupConversation{Name: "billing", Conversation: slack.Conversation{ID: "CBILLING"}}, IsChannel: true, IsMember: true})
	mustContain(t, e.text(userAdmin, chSupport, "route +18445550002 #billing"), "now go to <#CBILLING>")
	mustContain(t, e.text(userAdmin, chSupport, "route +18445550002 #nowhere"), "not a channel I can find", "Usage:")
	mustContain(t, e.text(userAdmin, chSupport, "route +18445550002 sales"), "not a channel I can find", "Usage:")
	mustContain(t, e.text(userAdmin, chSupport, "route"), "Give our number", "Usage:")
}

func TestBulkUpdateReportsProgressUntilDone(t *testing.T) {
	e := newSMSEnv(t)
	// A bulk move confirms first: who, how many, which profile.
	msg, url := e.run(userAdmin, chSupport, "bulk "+faketelnyx.DefaultProfileID+" +18445550001 (844) 555-0002,+18445550003")
	e.settle()
	mustContain(t, msg.Text, "<@"+userAdmin+">", "3 number(s)", faketelnyx.DefaultProfileID, "Confirm?")
	if n := len(e.tx.RequestsTo("POST /messaging_numbers_bulk_updates")); n != 0 {
		t.Fatalf("the bulk order started before it was confirmed")
	}
	e.press(userAdmin, ournumbers.ActionBulkConfirm, buttonValue(t, msg, ournumbers.ActionBulkConfirm), url)
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !posts[0].ReplaceOriginal {
		t.Fatalf("confirm answer = %+v", posts)
	}
	mustContain(t, posts[0].Text, "Bulk update", "3 number(s)", "<#"+chInbox+">")
	body := e.only("POST /messaging_numbers_bulk_updates")
	if body["messaging_profile_id"] != faketelnyx.DefaultProfileID || !jsonEqual(body["numbers"], []string{"+18445550001", "+18445550002", "+18445550003"}) {
		t.Errorf("bulk body = %v", body)
	}
	var progress []string
	e.slack.WaitFor(func() bool {
		for _, m := range e.slack.Messages(chInbox) {
			if strings.HasPrefix(m.Text, "Bulk update") && strings.Contains(m.Text, "finished") {
				return true
			}
		}
		return false
	}, 10*time.Second)
	e.cmds.Wait()
	for _, m := range e.slack.Messages(chInbox) {
		if strings.HasPrefix(m.Text, "Bulk update") {
			progress = append(progress, m.Text)
			if m.Updates < 2 {
				t.Errorf("progress message updated %d times, want one per change", m.Updates)
			}
		}
	}
	if len(progress) != 1 {
		t.Fatalf("progress messages = %q, want one updated in place", progress)
	}
	mustContain(t, progress[0], "3 done, 0 pending, 0 failed")
	if n := len(e.tx.RequestsTo("GET /messaging_numbers_bulk_updates/{order_id}")); n < 3 {
		t.Errorf("order polled %d times", n)
	}
	notices := 0
	for _, m := range e.slack.Messages(chInbox) {
		if strings.Contains(m.Text, "<@"+userAdmin+"> started bulk update") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("admin notice posted %d times", notices)
	}
	mustContain(t, e.text(userAdmin, chSupport, "bulk +18445550001"), "profile id", "Usage:")
	mustContain(t, e.text(userAdmin, chSupport, "bulk "+faketelnyx.DefaultProfileID), "at least one number", "Usage:")
}

func TestOptOutsForOneNumberAndPagedList(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "optouts (312) 555-0123"), "opted out of +1 844-555-0001", "2026-08-01 12:00 UTC", `"STOP"`, faketelnyx.DefaultProfileID)
	mustContain(t, e.text(userAlice, chSupport, "optouts +13125550199"), "has not opted out")
	mustContain(t, e.text(userAlice, chSupport, "optouts 555"), "not a phone number", "Usage:")

	var seeds []map[string]any
	for i := range 45 {
		seeds = append(seeds, faketelnyx.OptOut(ourNumber, "+1312555"+pad4(1000+i), "STOP", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)))
	}
	e.tx.SetOptOuts(seeds...)
	msg, _ := e.run(userAlice, chSupport, "optouts")
	mustContain(t, msg.Text, "page 1 of 3", "45 in all", "+1 312-555-1000")
	url := e.slack.ResponseURL()
	e.press(userAlice, records.ActionOptOutsMore, buttonValue(t, msg, records.ActionOptOutsMore), url)
	posts := e.slack.ResponsePosts(url)
	if len(posts) != 1 || !posts[0].ReplaceOriginal {
		t.Fatalf("More answer = %+v", posts)
	}
	mustContain(t, posts[0].Text, "page 2 of 3", "+1 312-555-1020")
	last := e.tx.RequestsTo("GET /messaging_optouts")
	if q := last[len(last)-1].Query; q.Get("page[number]") != "2" || q.Get("page[size]") != "20" {
		t.Errorf("page query = %v", q)
	}
}

func pad4(n int) string { s := "0000" + itoa(n); return s[len(s)-4:] }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestHelpListsEveryCommandWithExample(t *testing.T) {
	e := newSMSEnv(t)
	help := e.text(userAlice, chSupport, "help")
	for _, name := range []string{"send", "group", "whatsapp", "schedule", "scheduled", "cancel", "status", "optouts", "numbers", "number", "bulk", "route", "compose", "help"} {
		mustContain(t, help, "`/sms "+name)
	}
	mustContain(t, help, "e.g. `/sms send (312) 555-0123 On our way!`", "_(admins)_")
}

func TestComposeModalSendsAndSchedules(t *testing.T) {
	e := newSMSEnv(t)
	// A bare /sms opens the compose modal.
	if msg, _ := e.run(userAlice, chSupport, ""); msg != nil {
		t.Fatalf("bare /sms answered %+v, want the modal only", msg)
	}
	views := e.slack.Views()
	if len(views) != 1 || !strings.HasPrefix(views[0].TriggerID, "TRIG-") {
		t.Fatalf("views = %+v", views)
	}
	v, err := views[0].SlackView()
	if err != nil {
		t.Fatal(err)
	}
	if v.CallbackID != smscmd.ComposeCallbackID || v.PrivateMetadata != chSupport {
		t.Fatalf("modal = %+v", v)
	}
	mustContain(t, string(views[0].JSON), "+1 844-555-0001 (this channel)", "Number pool")

	// Typing updates the segment note.
	long := strings.Repeat("a", 200)
	cb := &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: userAlice},
		View:           slack.View{ID: views[0].ID, Hash: views[0].Hash, PrivateMetadata: chSupport},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: smscmd.ComposeTextAction, Value: long}}}}
	e.in.Handle(e.ctx, cb)
	e.in.Wait()
	views = e.slack.Views()
	mustContain(t, string(views[0].JSON), "200 characters (GSM-7): sent as 2 SMS parts")

	submit := func(to, from, other, text, when string) any {
		vals := map[string]map[string]slack.BlockAction{
			smscmd.ComposeTo:        {smscmd.ComposeTo: {Value: to}},
			smscmd.ComposeFrom:      {smscmd.ComposeFrom: {SelectedOption: slack.OptionBlockObject{Value: from}}},
			smscmd.ComposeFromOther: {smscmd.ComposeFromOther: {Value: other}},
			smscmd.ComposeText:      {smscmd.ComposeTextAction: {Value: text}},
			smscmd.ComposeWhen:      {smscmd.ComposeWhen: {Value: when}},
		}
		cb := &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: userAlice},
			View: slack.View{ID: views[0].ID, CallbackID: smscmd.ComposeCallbackID, PrivateMetadata: chSupport, State: &slack.ViewState{Values: vals}}}
		resp := e.in.Handle(e.ctx, cb)
		e.settle()
		return resp
	}
	// Field errors keep the modal open and reach nobody.
	resp := submit("555", "", "", "", "yesterday-ish")
	errs, ok := resp.(*slack.ViewSubmissionResponse)
	if !ok || errs.Errors[smscmd.ComposeTo] == "" || errs.Errors[smscmd.ComposeText] == "" || errs.Errors[smscmd.ComposeWhen] == "" {
		t.Fatalf("errors = %+v", resp)
	}
	if len(e.tx.Requests()) != 0 {
		t.Fatal("an invalid form reached Telnyx")
	}
	// Send now from the channel's number.
	if resp := submit("(312) 555-0123", "", "", "From the form", ""); resp != nil {
		t.Fatalf("valid submit answered %+v, want the modal closed", resp)
	}
	body := e.only("POST /messages")
	if body["from"] != ourNumber || body["to"] != remote || body["text"] != "From the form" {
		t.Errorf("compose send body = %v", body)
	}
	eph := e.slack.Ephemerals(chSupport)
	if len(eph) != 1 || eph[0].User != userAlice || !strings.Contains(eph[0].Text, "Sending to") {
		t.Errorf("result = %+v", eph)
	}
	// Schedule from the pool is refused? No: from another number, later.
	submit("+13125550123", "", "+18445550002", "Later from the form", "tomorrow 9am")
	sched := e.only("POST /messages/schedule")
	if sched["from"] != ourNumber2 || sched["send_at"] != "2026-11-27T14:00:00Z" {
		t.Errorf("compose schedule body = %v", sched)
	}
	if ms, _ := e.st.PendingScheduled(e.ctx, e.clock.Now(), 10); len(ms) != 1 || ms[0].Status != store.SchedHanded {
		t.Errorf("pending = %+v", ms)
	}
	_ = bridge.E164("")
}

func TestBulkModalStartsOrderFromTextArea(t *testing.T) {
	e := newSMSEnv(t)
	if msg, _ := e.run(userAdmin, chSupport, "bulk"); msg != nil {
		t.Fatalf("/sms bulk alone answered %+v, want the modal", msg)
	}
	views := e.slack.Views()
	if len(views) != 1 {
		t.Fatalf("views = %+v", views)
	}
	submit := func(user, profile, numbers string) any {
		vals := map[string]map[string]slack.BlockAction{
			"profile": {"profile": {Value: profile}},
			"numbers": {"numbers": {Value: numbers}},
		}
		cb := &slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: user},
			View: slack.View{CallbackID: ournumbers.BulkCallbackID, PrivateMetadata: chSupport, State: &slack.ViewState{Values: vals}}}
		resp := e.in.Handle(e.ctx, cb)
		e.in.Wait()
		return resp
	}
	if r, ok := submit(userAdmin, faketelnyx.DefaultProfileID, "(844) 555-0001\nnot a number").(*slack.ViewSubmissionResponse); !ok || r.Errors["numbers"] == "" {
		t.Fatalf("bad number accepted: %+v", r)
	}
	if r, ok := submit(userAlice, faketelnyx.DefaultProfileID, "+18445550001").(*slack.ViewSubmissionResponse); !ok || !strings.Contains(r.Errors["profile"], "admins") {
		t.Fatalf("non-admin submission accepted: %+v", r)
	}
	if len(e.tx.Requests()) != 0 {
		t.Fatal("a refused form reached Telnyx")
	}
	if r := submit(userAdmin, faketelnyx.DefaultProfileID, "(844) 555-0001\n+1 844 555 0002\n"); r != nil {
		t.Fatalf("valid form answered %+v", r)
	}
	if len(e.tx.Requests()) != 0 {
		t.Fatal("the bulk order started before it was confirmed")
	}
	eph := e.slack.Ephemerals(chSupport)
	if len(eph) != 1 || !strings.Contains(eph[0].Text, "2 number(s)") {
		t.Fatalf("confirmation = %+v", eph)
	}
	var confirm slack.Blocks
	if err := json.Unmarshal(eph[0].Blocks, &confirm); err != nil {
		t.Fatal(err)
	}
	confirmURL := e.slack.ResponseURL()
	e.press(userAdmin, ournumbers.ActionBulkConfirm, buttonValue(t, &slack.Msg{Blocks: confirm}, ournumbers.ActionBulkConfirm), confirmURL)
	body := e.only("POST /messaging_numbers_bulk_updates")
	if !jsonEqual(body["numbers"], []string{"+18445550001", "+18445550002"}) {
		t.Errorf("numbers = %v", body["numbers"])
	}
	e.slack.WaitFor(func() bool {
		for _, m := range e.slack.Messages(chInbox) {
			if strings.Contains(m.Text, "finished") {
				return true
			}
		}
		return false
	}, 10*time.Second)
	e.cmds.Wait()
	if posts := e.slack.ResponsePosts(confirmURL); len(posts) != 1 || !posts[0].ReplaceOriginal || !strings.Contains(posts[0].Text, "started for 2 number(s)") {
		t.Errorf("result = %+v", posts)
	}
}

func TestBulkCancelChangesNothingAndAStaleConfirmAsksAgain(t *testing.T) {
	e := newSMSEnv(t)
	msg, url := e.run(userAdmin, chSupport, "bulk "+faketelnyx.DefaultProfileID+" +18445550001")
	e.press(userAdmin, ournumbers.ActionBulkCancel, buttonValue(t, msg, ournumbers.ActionBulkCancel), url)
	e.press(userAdmin, ournumbers.ActionBulkConfirm, buttonValue(t, msg, ournumbers.ActionBulkConfirm), url) // after Cancel
	if n := len(e.tx.RequestsTo("POST /messaging_numbers_bulk_updates")); n != 0 {
		t.Fatalf("a cancelled bulk update was started")
	}
	posts := e.slack.ResponsePosts(url)
	mustContain(t, posts[0].Text, "cancelled; nothing was changed")
	mustContain(t, posts[1].Text, "expired; nothing was changed")

	msg, url = e.run(userAdmin, chSupport, "bulk "+faketelnyx.DefaultProfileID+" +18445550002")
	e.clock.Advance(16 * time.Minute)
	e.press(userAdmin, ournumbers.ActionBulkConfirm, buttonValue(t, msg, ournumbers.ActionBulkConfirm), url)
	if n := len(e.tx.RequestsTo("POST /messaging_numbers_bulk_updates")); n != 0 {
		t.Fatalf("a stale confirmation started the bulk update")
	}
}

// The request waits in the store, not in the memory of the process that
// asked: a Confirm that reaches another replica, or this one after a
// restart, starts the order, once.
func TestBulkConfirmAfterARestartStartsTheOrderOnce(t *testing.T) {
	e := newSMSEnv(t)
	msg, url := e.run(userAdmin, chSupport, "bulk "+faketelnyx.DefaultProfileID+" +18445550001 +18445550002")
	token := buttonValue(t, msg, ournumbers.ActionBulkConfirm)
	e.restart()
	e.press(userAdmin, ournumbers.ActionBulkConfirm, token, url)
	reqs := e.tx.RequestsTo("POST /messaging_numbers_bulk_updates")
	if len(reqs) != 1 {
		t.Fatalf("%d bulk orders started after the restart, want 1", len(reqs))
	}
	mustContain(t, string(reqs[0].Body), "+18445550001", "+18445550002", faketelnyx.DefaultProfileID)
	e.press(userAdmin, ournumbers.ActionBulkConfirm, token, url) // a second press
	if n := len(e.tx.RequestsTo("POST /messaging_numbers_bulk_updates")); n != 1 {
		t.Fatalf("a second Confirm started the order again (%d orders)", n)
	}
	posts := e.slack.ResponsePosts(url)
	mustContain(t, posts[len(posts)-1].Text, "expired; nothing was changed")
}

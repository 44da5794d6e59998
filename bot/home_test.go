package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/store"
)

// Two teammates open the App Home: each sees what waits for an answer,
// their own conversations, the unassigned ones and what was resolved lately,
// in that order, with names, last messages, waiting times and thread links.
func TestAppHomeListsConversationsInTheirSectionsPerUser(t *testing.T) {
	e := newInboxEnv(t)
	now := e.clock.Now()
	if err := e.st.SetContact(t.Context(), &store.Contact{Number: "+13125550001", Name: "Ana's <b>customer</b> | VIP"}); err != nil {
		t.Fatal(err)
	}
	anaWaiting := e.conversation("+13125550001", map[string]any{"state": store.StateClaimed, "assignee_id": userAna,
		"last_direction": store.Inbound, "last_text": "where is my order? <!channel>", "last_activity_at": now.Add(-3*time.Hour - 5*time.Minute)})
	e.conversation("+13125550002", map[string]any{"state": store.StateClaimed, "assignee_id": userAna,
		"last_direction": store.Outbound, "last_text": "on its way", "last_activity_at": now.Add(-10 * time.Minute)})
	e.conversation("+13125550003", map[string]any{"state": store.StateClaimed, "assignee_id": userBen,
		"last_direction": store.Inbound, "last_text": "hello?", "last_activity_at": now.Add(-26 * time.Hour)})
	e.conversation("+13125550004", map[string]any{"state": store.StateOpen,
		"last_direction": store.Inbound, "last_text": "anyone there", "last_activity_at": now.Add(-40 * time.Minute)})
	e.conversation("+13125550005", map[string]any{"state": store.StateResolved, "resolved_by": userBen,
		"resolved_at": now.Add(-2 * time.Hour), "last_direction": store.Outbound, "last_text": "bye", "last_activity_at": now.Add(-2 * time.Hour)})

	e.openHome(userAna)
	e.openHome(userBen)
	ana, ben := e.homeSections(userAna), e.homeSections(userBen)

	// Waiting is the team's queue, longest waiting first: the same for both.
	for who, secs := range map[string]map[string][]string{"Ana": ana, "Ben": ben} {
		w := section(secs, "Waiting for an answer")
		if len(w) != 3 || !strings.Contains(w[0], "+1 312-555-0003") || !strings.Contains(w[1], "+1 312-555-0001") || !strings.Contains(w[2], "+1 312-555-0004") {
			t.Errorf("%s's Waiting: %q", who, w)
		}
		if r := section(secs, "Recently resolved"); len(r) != 1 || !strings.Contains(r[0], "+1 312-555-0005") || !strings.Contains(r[0], "resolved 2 h ago by <@UBEN>") {
			t.Errorf("%s's Recently resolved: %q", who, r)
		}
		if u := section(secs, "Unassigned"); len(u) != 1 || !strings.Contains(u[0], "+1 312-555-0004") || !strings.Contains(u[0], "waiting 40 min") {
			t.Errorf("%s's Unassigned: %q", who, u)
		}
	}
	mine := section(ana, "Mine")
	if len(mine) != 2 || !strings.Contains(mine[0], "+1 312-555-0002") || !strings.Contains(mine[1], "+1 312-555-0001") {
		t.Fatalf("Ana's Mine: %q", mine)
	}
	if m := section(ben, "Mine"); len(m) != 1 || !strings.Contains(m[0], "+1 312-555-0003") || !strings.Contains(m[0], "waiting 1 d 2 h") {
		t.Errorf("Ben's Mine: %q", m)
	}

	// One item in full: the contact's name (escaped, its "|" unable to end
	// the link label), linked to the thread, waiting time, last message
	// escaped so that it pings nobody.
	item := mine[1]
	for _, want := range []string{
		"*<" + fakeslack.Permalink(anaWaiting.Channel, anaWaiting.ThreadTS) + "|Ana's &lt;b&gt;customer&lt;/b&gt; ¦ VIP · +1 312-555-0001>*",
		"to +1 844-555-0001", "yours", "waiting 3 h 5 min", "← where is my order? &lt;!channel&gt;",
	} {
		if !strings.Contains(item, want) {
			t.Errorf("item %q lacks %q", item, want)
		}
	}
	if w := section(ben, "Waiting for an answer"); !strings.Contains(w[1], "claimed by <@UANA>") {
		t.Errorf("Ben does not see that Ana has it: %q", w[1])
	}
}

func TestAppHomeIsRepublishedForEveryoneAChangeConcerns(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"last_direction": store.Inbound, "last_text": "hi"})
	e.openHome(userBen)
	if u := section(e.homeSections(userBen), "Unassigned"); len(u) != 1 {
		t.Fatalf("Ben's Unassigned before: %q", u)
	}

	e.press(userBen, "conv_claim", c, "")
	e.home.Wait()
	if m := section(e.homeSections(userBen), "Mine"); len(m) != 1 {
		t.Errorf("Ben's Mine after his claim: %q", m)
	}
	e.press(userBen, "conv_reassign", c, userAna)
	e.home.Wait()
	if m := section(e.homeSections(userBen), "Mine"); len(m) != 0 {
		t.Errorf("Ben's Mine after he gave it away: %q", m)
	}
	if m := section(e.homeSections(userAna), "Mine"); len(m) != 1 {
		t.Errorf("Ana's Mine after it was given to her: %q", m)
	}
}

func TestAppHomeIgnoresTheMessagesTab(t *testing.T) {
	e := newInboxEnv(t)
	e.openHome(userAna)
	before := len(e.srv.Calls("views.publish"))
	body := `{"type":"event_callback","event_id":"Ev2","event":{"type":"app_home_opened","user":"UANA","channel":"D1","tab":"messages","event_ts":"1.2"}}`
	e.events.ServeHTTP(discard{}, httptestRequest(body))
	e.home.Wait()
	if after := len(e.srv.Calls("views.publish")); after != before {
		t.Errorf("published %d more views for the Messages tab", after-before)
	}
}

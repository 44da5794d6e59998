package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/store"
)

// homeButton is a button of the published Home tab.
type homeButton struct{ ActionID, Value, URL, Text string }

// homeView decodes user's published Home tab: its blocks and its buttons.
func (e *inboxEnv) homeView(user string) (blocks []map[string]any, buttons map[string]homeButton) {
	e.t.Helper()
	v, ok := e.srv.HomeView(user)
	if !ok {
		e.t.Fatalf("no App Home published for %s", user)
	}
	var view struct {
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		e.t.Fatal(err)
	}
	buttons = map[string]homeButton{}
	for _, b := range view.Blocks {
		elems, _ := b["elements"].([]any)
		for _, el := range elems {
			m, _ := el.(map[string]any)
			if m["type"] != "button" {
				continue
			}
			id, _ := m["action_id"].(string)
			if _, dup := buttons[id]; dup {
				e.t.Errorf("action_id %q is twice in the view", id)
			}
			val, _ := m["value"].(string)
			link, _ := m["url"].(string)
			text, _ := m["text"].(map[string]any)["text"].(string)
			buttons[id] = homeButton{id, val, link, text}
		}
	}
	return view.Blocks, buttons
}

// pressHome presses a button of user's Home tab as Slack sends it (from a
// view of type home: no channel, no response_url) and waits for the Home
// to be published again.
func (e *inboxEnv) pressHome(user string, b homeButton) {
	e.t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.TeamID},
		"view": map[string]any{"id": "V1", "type": "home"}, "trigger_id": "t1",
		"actions": []any{map[string]any{"action_id": b.ActionID, "block_id": "b", "type": "button", "value": b.Value}},
	})
	form := url.Values{"payload": {string(payload)}}
	r := httptest.NewRequest("POST", "/slack/interactivity", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	e.in.ServeHTTP(httptest.NewRecorder(), r)
	e.in.Wait()
	e.home.Wait()
}

// waitingRemote is the number of the i-th waiting conversation (0 waited longest).
func waitingRemote(i int) string { return fmt.Sprintf("+1312555%04d", i) }

func TestAppHomePagesThrough250WaitingConversationsWithCorrectCounts(t *testing.T) {
	e := newInboxEnv(t)
	now := e.clock.Now()
	ctx := context.Background()
	const n = 250
	for i := range n {
		c, _, err := e.st.FindOrCreateConversation(ctx, store.KindSMS, ourNumber, waitingRemote(i))
		if err != nil {
			t.Fatal(err)
		}
		since := now.Add(-time.Duration(n-i) * time.Minute)
		if err := e.st.UpdateConversation(ctx, c.ID, map[string]any{"channel": inboxChannel, "thread_ts": fmt.Sprintf("1700000000.%06d", i+1),
			"last_direction": store.Inbound, "last_text": fmt.Sprintf("text %d", i), "last_activity_at": since,
			"waiting_since": since, "waiting_count": 2}); err != nil {
			t.Fatal(err)
		}
	}
	e.openHome(userAna)

	var seen []string
	for page := 0; ; page++ {
		blocks, buttons := e.homeView(userAna)
		if len(blocks) > 100 {
			t.Fatalf("page %d has %d blocks; a Home tab holds 100", page, len(blocks))
		}
		secs := e.homeSections(userAna)
		for _, title := range []string{"Waiting for an answer (250)", "Unassigned (250)", "Mine (0)", "Recently resolved (0)"} {
			found := false
			for k := range secs {
				found = found || strings.HasSuffix(k, title)
			}
			if !found {
				t.Fatalf("page %d: no section titled %q in %v", page, title, keys(secs))
			}
		}
		rows := section(secs, "Waiting for an answer")
		if len(rows) != 10 {
			t.Fatalf("page %d shows %d waiting rows, want 10", page, len(rows))
		}
		for j, r := range rows {
			i := page*10 + j
			if !strings.Contains(r, "+1 312-555-"+fmt.Sprintf("%04d", i)) || !strings.Contains(r, fmt.Sprintf("text %d", i)) ||
				!strings.Contains(r, "waiting "+fmt.Sprint(ago(time.Duration(n-i)*time.Minute))) || !strings.Contains(r, "2 new") {
				t.Fatalf("page %d row %d = %q, want conversation %d with its age, count and last text", page, j, r, i)
			}
			seen = append(seen, r)
		}
		if _, ok := buttons["home_claim_w_"+fmt.Sprint(page*10+1)]; !ok {
			t.Fatalf("page %d: no Claim button for its first row: %v", page, keys(buttons))
		}
		if open := buttons["home_open_w_"+fmt.Sprint(page*10+1)]; !strings.Contains(open.URL, "/archives/"+inboxChannel+"/p1700000000") {
			t.Fatalf("page %d: Open thread links to %q", page, open.URL)
		}
		if prev, ok := buttons["home_page_w_prev"]; ok != (page > 0) || (ok && prev.Value != fmt.Sprint((page-1)*10)) {
			t.Fatalf("page %d: Previous %+v (present %v)", page, prev, ok)
		}
		next, ok := buttons["home_page_w_next"]
		if !ok {
			break
		}
		e.pressHome(userAna, next)
	}
	if len(seen) != n {
		t.Fatalf("paged through %d waiting conversations, want %d", len(seen), n)
	}
	// Previous goes back a page.
	_, buttons := e.homeView(userAna)
	e.pressHome(userAna, buttons["home_page_w_prev"])
	if rows := section(e.homeSections(userAna), "Waiting for an answer"); !strings.Contains(rows[0], "+1 312-555-0230") {
		t.Fatalf("after Previous the first row is %q, want conversation 230", rows[0])
	}
}

func TestAppHomeButtonsClaimAndResolveThroughTheInboxActions(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550001", map[string]any{"last_direction": store.Inbound, "last_text": "hi"})
	e.openHome(userAna)
	e.openHome(userBen)
	_, anaButtons := e.homeView(userAna)
	_, benButtons := e.homeView(userBen)
	claim := fmt.Sprintf("home_claim_w_%d", c.ID)
	e.pressHome(userAna, anaButtons[claim])
	if got := e.load(c.ID); got.State != store.StateClaimed || got.AssigneeID != userAna {
		t.Fatalf("after Ana's Claim: %s by %q", got.State, got.AssigneeID)
	}
	if !strings.Contains(e.header(c).BlockText(), "Claimed by <@UANA>") {
		t.Fatalf("the header does not show the claim: %q", e.header(c).BlockText())
	}
	if m := section(e.homeSections(userAna), "Mine (1)"); len(m) != 1 {
		t.Fatalf("Ana's Mine after her claim: %q", m)
	}
	// Ben's Home still showed Claim: pressing it tells him why nothing happened.
	e.pressHome(userBen, benButtons[claim])
	blocks, _ := e.homeView(userBen)
	raw, _ := json.Marshal(blocks[:4])
	if !strings.Contains(string(raw), "Already claimed by \\u003c@UANA\\u003e") && !strings.Contains(string(raw), "Already claimed by <@UANA>") {
		t.Fatalf("Ben's Home does not say it was already claimed: %s", raw)
	}
	_, anaButtons = e.homeView(userAna)
	e.pressHome(userAna, anaButtons[fmt.Sprintf("home_resolve_m_%d", c.ID)])
	if got := e.load(c.ID); got.State != store.StateResolved || got.WaitingSince != nil {
		t.Fatalf("after Resolve: %s, waiting since %v", got.State, got.WaitingSince)
	}
	if r := section(e.homeSections(userAna), "Recently resolved (1)"); len(r) != 1 {
		t.Fatalf("Ana's Recently resolved: %q", r)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ago is the Home's way of saying a duration (bot.ago), for the rows' ages.
func ago(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	default:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
}

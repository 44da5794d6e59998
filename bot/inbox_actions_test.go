package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/store"
)

func TestClaimButtonAssignsUpdatesHeaderAndNotes(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)

	rurl := e.press(userAna, slackpost.ActionClaim, c, "")

	c = e.load(c.ID)
	if c.State != store.StateClaimed || c.AssigneeID != userAna {
		t.Fatalf("stored: state %q assignee %q", c.State, c.AssigneeID)
	}
	h := e.header(c)
	if h.Updates != 1 || !strings.Contains(h.BlockText(), "Claimed by <@UANA>") {
		t.Errorf("header (updates %d): %s", h.Updates, h.BlockText())
	}
	if got := strings.Join(h.ActionIDs(), ","); got != slackpost.ActionUnassign+","+slackpost.ActionResolve+","+slackpost.ActionReassign {
		t.Errorf("header actions after claim: %s", got)
	}
	if notes := e.notes(c); len(notes) != 1 || notes[0] != "Ana claimed this conversation." {
		t.Errorf("notes: %q", notes)
	}
	if posts := e.srv.ResponsePosts(rurl); len(posts) != 0 {
		t.Errorf("the claimer was told something: %+v", posts)
	}
	e.home.Wait()
	if !containsOne(section(e.homeSections(userAna), "Mine"), "+1 312-555-0123") {
		t.Errorf("Ana's App Home was not refreshed with her claim: %v", e.homeSections(userAna))
	}
}

func TestUnassignButtonReleasesTheConversation(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateClaimed, "assignee_id": userAna})

	e.press(userBen, slackpost.ActionUnassign, c, "")

	c = e.load(c.ID)
	if c.State != store.StateOpen || c.AssigneeID != "" {
		t.Fatalf("stored: state %q assignee %q", c.State, c.AssigneeID)
	}
	h := e.header(c)
	if h.Updates != 1 || !strings.Contains(h.BlockText(), "Open") || strings.Contains(h.BlockText(), "Claimed") {
		t.Errorf("header: %s", h.BlockText())
	}
	if notes := e.notes(c); len(notes) != 1 || notes[0] != "Ben Okafor unassigned Ana." {
		t.Errorf("notes: %q", notes)
	}
}

func TestAssignPickerGivesItToAnotherAndMentionsThem(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateClaimed, "assignee_id": userAna})

	e.press(userAna, slackpost.ActionReassign, c, userBen)

	c = e.load(c.ID)
	if c.State != store.StateClaimed || c.AssigneeID != userBen {
		t.Fatalf("stored: state %q assignee %q", c.State, c.AssigneeID)
	}
	if h := e.header(c); h.Updates != 1 || !strings.Contains(h.BlockText(), "Claimed by <@UBEN>") {
		t.Errorf("header: %s", h.BlockText())
	}
	notes := e.notes(c)
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "<@UBEN> ") || !strings.Contains(notes[0], "assigned to you by Ana (it was with Ana)") {
		t.Errorf("notes: %q", notes)
	}
	e.home.Wait()
	if !containsOne(section(e.homeSections(userBen), "Mine"), "+1 312-555-0123") {
		t.Errorf("Ben's App Home: %v", e.homeSections(userBen))
	}
	if mine := section(e.homeSections(userAna), "Mine"); len(mine) != 0 {
		t.Errorf("Ana's App Home still lists it as hers: %v", mine)
	}
}

func TestResolveButtonResolvesAndRecordsWhoAndWhen(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateClaimed, "assignee_id": userAna})

	e.press(userAna, slackpost.ActionResolve, c, "")

	c = e.load(c.ID)
	if c.State != store.StateResolved || c.ResolvedBy != userAna || c.ResolvedAt == nil || !c.ResolvedAt.Equal(e.clock.Now()) || c.AssigneeID != "" {
		t.Fatalf("stored: %+v", c)
	}
	h := e.header(c)
	if !strings.Contains(h.BlockText(), "Resolved by <@UANA>") || !strings.Contains(h.BlockText(), "<!date^") {
		t.Errorf("header: %s", h.BlockText())
	}
	if got := strings.Join(h.ActionIDs(), ","); got != slackpost.ActionReopen+","+slackpost.ActionReassign {
		t.Errorf("header actions after resolve: %s", got)
	}
	if notes := e.notes(c); len(notes) != 1 || notes[0] != "Ana resolved this conversation." {
		t.Errorf("notes: %q", notes)
	}
}

func TestReopenButtonOpensAResolvedConversation(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateResolved, "resolved_by": userAna, "resolved_at": e.clock.Now()})

	e.press(userBen, slackpost.ActionReopen, c, "")

	c = e.load(c.ID)
	if c.State != store.StateOpen || c.ResolvedBy != "" || c.ResolvedAt != nil {
		t.Fatalf("stored: %+v", c)
	}
	h := e.header(c)
	if !strings.Contains(h.BlockText(), "Open") || !strings.Contains(strings.Join(h.ActionIDs(), ","), slackpost.ActionClaim) {
		t.Errorf("header: %s %v", h.BlockText(), h.ActionIDs())
	}
	if notes := e.notes(c); len(notes) != 1 || notes[0] != "Ben Okafor reopened this conversation." {
		t.Errorf("notes: %q", notes)
	}
}

func TestButtonThatChangesNothingTellsOnlyThePresser(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)
	e.press(userAna, slackpost.ActionResolve, c, "")

	rurl := e.press(userBen, slackpost.ActionResolve, c, "")

	posts := e.srv.ResponsePosts(rurl)
	if len(posts) != 1 || posts[0].Text != "Already resolved by <@UANA>." || posts[0].ResponseType != "ephemeral" || posts[0].ReplaceOriginal {
		t.Fatalf("Ben was told: %+v", posts)
	}
	if notes := e.notes(c); len(notes) != 1 {
		t.Errorf("a second note was posted: %q", notes)
	}
	if h := e.header(c); h.Updates != 1 {
		t.Errorf("header updated %d times", h.Updates)
	}
}

// Two teammates press Claim at the same moment: one owns the conversation,
// the header and a single note say who, and the other is told who, only
// them. Repeated so that each side gets to win.
func TestSimultaneousClaimsEndWithOneOwnerAndBothKnowWho(t *testing.T) {
	e := newInboxEnv(t)
	winners := map[string]int{}
	for i := range 20 {
		c := e.conversation("+1312555"+string(rune('0'+i/10))+"0"+string(rune('0'+i%10))+"0", nil)
		urls := map[string]string{userAna: e.srv.ResponseURL(), userBen: e.srv.ResponseURL()}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, u := range []string{userAna, userBen} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := e.pressRequest(u, slackpost.ActionClaim, c, "", urls[u])
				<-start
				e.in.ServeHTTP(discard{}, req)
			}()
		}
		close(start)
		wg.Wait()
		e.in.Wait()

		c = e.load(c.ID)
		winner, loser := c.AssigneeID, userAna
		if winner == userAna {
			loser = userBen
		}
		if c.State != store.StateClaimed || (winner != userAna && winner != userBen) {
			t.Fatalf("round %d: stored state %q assignee %q", i, c.State, winner)
		}
		winners[winner]++
		if h := e.header(c); !strings.Contains(h.BlockText(), "Claimed by <@"+winner+">") {
			t.Errorf("round %d: header does not show the owner: %s", i, h.BlockText())
		}
		if notes := e.notes(c); len(notes) != 1 || !strings.HasSuffix(notes[0], " claimed this conversation.") {
			t.Errorf("round %d: notes %q", i, notes)
		}
		if posts := e.srv.ResponsePosts(urls[loser]); len(posts) != 1 || posts[0].Text != "Already claimed by <@"+winner+">." {
			t.Errorf("round %d: the loser was told %+v", i, posts)
		}
		if posts := e.srv.ResponsePosts(urls[winner]); len(posts) != 0 {
			t.Errorf("round %d: the winner was told %+v", i, posts)
		}
	}
	t.Logf("wins: %v", winners)
}

func TestStaleClaimOnResolvedConversationChangesNothing(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateResolved, "resolved_by": userAna, "resolved_at": e.clock.Now().Add(-time.Hour)})

	rurl := e.press(userBen, slackpost.ActionClaim, c, "")

	if c := e.load(c.ID); c.State != store.StateResolved {
		t.Fatalf("state %q", c.State)
	}
	if posts := e.srv.ResponsePosts(rurl); len(posts) != 1 || !strings.Contains(posts[0].Text, "resolved by <@UANA>; reopen it first") {
		t.Fatalf("Ben was told %+v", posts)
	}
}

func TestRefusalWithoutResponseURLIsAnEphemeralInTheChannel(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", map[string]any{"state": store.StateClaimed, "assignee_id": userAna})

	e.in.ServeHTTP(discard{}, e.pressRequest(userBen, slackpost.ActionClaim, c, "", ""))
	e.in.Wait()

	eph := e.srv.Ephemerals(c.Channel)
	if len(eph) != 1 || eph[0].User != userBen || eph[0].Text != "Already claimed by <@UANA>." {
		t.Fatalf("ephemerals: %+v", eph)
	}
}

func TestButtonForUnknownConversationSaysSo(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)
	c.ID = 9999

	rurl := e.press(userBen, slackpost.ActionResolve, c, "")

	if posts := e.srv.ResponsePosts(rurl); len(posts) != 1 || posts[0].Text != "That conversation no longer exists." {
		t.Fatalf("Ben was told %+v", posts)
	}
}

// Claim pressed on a header within moments of Slack showing it, before the
// header's ts is stored (bridge's openThread posts, then records it): the
// claim is stored and, once the thread is, shown in the header and noted
// in the thread. It used to be stored and shown nowhere: the header kept
// offering Claim to everyone.
func TestClaimPressedBeforeTheHeaderIsStoredIsShownOnceItIs(t *testing.T) {
	e := newInboxEnv(t)
	c := e.conversation("+13125550123", nil)
	ctx := context.Background()
	if err := e.st.UpdateConversation(ctx, c.ID, map[string]any{"thread_ts": ""}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); e.press(userAna, slackpost.ActionClaim, c, "") }()
	// The claim is stored first; then the header's ts comes.
	deadline := time.Now().Add(10 * time.Second)
	for e.load(c.ID).State != store.StateClaimed {
		if time.Now().After(deadline) {
			t.Fatal("the claim was not stored")
		}
		time.Sleep(time.Millisecond)
	}
	if err := e.st.UpdateConversation(ctx, c.ID, map[string]any{"thread_ts": c.ThreadTS}); err != nil {
		t.Fatal(err)
	}
	<-done
	h := e.header(c)
	if h.Updates != 1 || !strings.Contains(h.BlockText(), "Claimed by <@UANA>") {
		t.Fatalf("header (updates %d): %s", h.Updates, h.BlockText())
	}
	if notes := e.notes(c); len(notes) != 1 || notes[0] != "Ana claimed this conversation." {
		t.Errorf("notes: %q", notes)
	}
}

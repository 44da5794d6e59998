package bridge

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

type recWatcher struct {
	mu    sync.Mutex
	users [][]string
}

func (w *recWatcher) InboxChanged(_ context.Context, users ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.users = append(w.users, users)
}

type mapNamer map[string]string

func (m mapNamer) UserName(_ context.Context, id string) string { return m[id] }

// threaded makes a conversation with a thread, in state with assignee.
func (h *harness) threaded(remote, state, assignee string) *store.Conversation {
	h.t.Helper()
	ctx := context.Background()
	h.ingest(inboundBody("e-"+remote, "m-"+remote, remote, "+18445550001", "hi"))
	h.drain()
	c, err := h.st.ConversationByNumbers(ctx, store.KindSMS, "+18445550001", remote)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.st.UpdateConversation(ctx, c.ID, map[string]any{"state": state, "assignee_id": assignee}); err != nil {
		h.t.Fatal(err)
	}
	return c
}

func TestClaimByManyAtOnceHasOneOwner(t *testing.T) {
	h := newHarness(t)
	c := h.threaded("+13125550123", store.StateOpen, "")
	_, _, _, before := h.poster.snapshot()
	users := []string{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"}
	changes := make([]*Change, len(users))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ch, err := h.b.Claim(context.Background(), c.ID, u)
			if err != nil {
				t.Error(err)
			}
			changes[i] = ch
		}()
	}
	close(start)
	wg.Wait()
	winner := ""
	for i, ch := range changes {
		if ch == nil {
			t.Fatal("no change returned")
		}
		if ch.Changed {
			if winner != "" {
				t.Fatalf("%s and %s both claimed", winner, users[i])
			}
			winner = users[i]
		}
	}
	for i, ch := range changes {
		if ch.Conversation.AssigneeID != winner || ch.Conversation.State != store.StateClaimed {
			t.Errorf("%s was shown %q %q, want claimed by %s", users[i], ch.Conversation.State, ch.Conversation.AssigneeID, winner)
		}
	}
	_, ps, _, us := h.poster.snapshot()
	if len(us)-len(before) != 1 || us[len(us)-1].AssigneeID != winner {
		t.Errorf("header updates: %+v", us[len(before):])
	}
	var notes []ThreadPost
	for _, p := range ps {
		if p.P.Kind == KindNote {
			notes = append(notes, p.P)
		}
	}
	if len(notes) != 1 || notes[0].Text != winner+" claimed this conversation." {
		t.Errorf("notes: %+v", notes)
	}
}

func TestStateChangesFromEachState(t *testing.T) {
	type op func(b *Bridge, id uint64) (*Change, error)
	claim := func(b *Bridge, id uint64) (*Change, error) { return b.Claim(context.Background(), id, "U1") }
	unassign := func(b *Bridge, id uint64) (*Change, error) { return b.Unassign(context.Background(), id, "U1") }
	toU2 := func(b *Bridge, id uint64) (*Change, error) { return b.Reassign(context.Background(), id, "U1", "U2") }
	resolve := func(b *Bridge, id uint64) (*Change, error) { return b.Resolve(context.Background(), id, "U1") }
	reopen := func(b *Bridge, id uint64) (*Change, error) { return b.Reopen(context.Background(), id, "U1") }
	for _, tc := range []struct {
		name              string
		state, assignee   string
		op                op
		changed           bool
		wantState, wantTo string
		wantNote          string
	}{
		{"claim open", "open", "", claim, true, "claimed", "U1", "Uma claimed this conversation."},
		{"claim claimed", "claimed", "U2", claim, false, "claimed", "U2", ""},
		{"claim resolved", "resolved", "", claim, false, "resolved", "", ""},
		{"release own", "claimed", "U1", unassign, true, "open", "", "Uma released this conversation."},
		{"unassign other", "claimed", "U2", unassign, true, "open", "", "Uma unassigned Ugo."},
		{"unassign open", "open", "", unassign, false, "open", "", ""},
		{"assign open", "open", "", toU2, true, "claimed", "U2", "assigned to you by Uma."},
		{"assign resolved", "resolved", "", toU2, true, "claimed", "U2", "assigned to you by Uma (it had been resolved)."},
		{"assign to owner", "claimed", "U2", toU2, false, "claimed", "U2", ""},
		{"resolve claimed", "claimed", "U2", resolve, true, "resolved", "", "Uma resolved this conversation."},
		{"resolve resolved", "resolved", "", resolve, false, "resolved", "", ""},
		{"reopen resolved", "resolved", "", reopen, true, "open", "", "Uma reopened this conversation."},
		{"reopen open", "open", "", reopen, false, "open", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.b.SetInboxHooks(mapNamer{"U1": "Uma", "U2": "Ugo"}, nil)
			c := h.threaded("+13125550123", tc.state, tc.assignee)
			_, before, _, _ := h.poster.snapshot()
			ch, err := tc.op(h.b, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			c, _ = h.st.Conversation(context.Background(), c.ID)
			if ch.Changed != tc.changed || c.State != tc.wantState || c.AssigneeID != tc.wantTo {
				t.Fatalf("changed %v, stored %q %q", ch.Changed, c.State, c.AssigneeID)
			}
			_, ps, _, _ := h.poster.snapshot()
			var notes []string
			for _, p := range ps[len(before):] {
				notes = append(notes, p.P.Text)
			}
			if (tc.wantNote == "" && len(notes) != 0) || (tc.wantNote != "" && !slices.Equal(notes, []string{tc.wantNote})) {
				t.Errorf("notes %q, want %q", notes, tc.wantNote)
			}
		})
	}
}

func TestInboxWatcherHearsEveryoneAChangeConcerns(t *testing.T) {
	h := newHarness(t)
	w := &recWatcher{}
	h.b.SetInboxHooks(nil, w)
	c := h.threaded("+13125550123", store.StateClaimed, "U2")
	if _, err := h.b.Reassign(context.Background(), c.ID, "U1", "U3"); err != nil {
		t.Fatal(err)
	}
	h.ingest(inboundBody("e9", "m9", "+13125550123", "+18445550001", "hello again"))
	h.drain()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.users) != 2 || !slices.Equal(w.users[0], []string{"U1", "U2", "U3"}) || !slices.Equal(w.users[1], []string{"U3"}) {
		t.Errorf("watcher heard %v", w.users)
	}
}

func TestHeaderShowsContactNamesOfTheRemoteNumbers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.st.SetContact(ctx, &store.Contact{Number: "+13125550123", Name: "Ana"})
	h.st.SetContact(ctx, &store.Contact{Number: "+13125550199", Name: "Ben"})
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi"))
	h.ingest(inboundBody("e2", "m2", "+13125550199", "+18445550001", "all", "+13125550123", "+13125550150"))
	h.drain()
	hs, _, _, _ := h.poster.snapshot()
	if len(hs) != 2 || hs[0].H.ContactName != "Ana" || hs[1].H.ContactName != "Ana, Ben" {
		t.Fatalf("headers: %+v", hs)
	}

	// Renaming refreshes the 1:1 header and the group's, which names its
	// members too.
	convs, err := h.b.NameContact(ctx, "+13125550123", "Ana Lopez", "U1")
	if err != nil || len(convs) != 2 {
		t.Fatalf("convs %v err %v", convs, err)
	}
	_, _, _, us := h.poster.snapshot()
	if len(us) != 2 || us[0].ContactName != "Ana Lopez" || us[1].ContactName != "Ana Lopez, Ben" {
		t.Errorf("header updates: %+v", us)
	}
}

// hookPoster runs a function once, just before the next thread post: a
// teammate acting while the bridge is in the middle of an inbound text.
type hookPoster struct {
	*recPoster
	mu     sync.Mutex
	onPost func()
}

func (p *hookPoster) PostInThread(ctx context.Context, parent ThreadRef, post ThreadPost) (string, error) {
	p.mu.Lock()
	f := p.onPost
	p.onPost = nil
	p.mu.Unlock()
	if f != nil {
		f()
	}
	return p.recPoster.PostInThread(ctx, parent, post)
}

func TestTextReopeningWhileTeammateAssignsKeepsTheAssignment(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := h.threaded("+13125550123", store.StateResolved, "")
	hp := &hookPoster{recPoster: h.poster}
	engine := NewEngine(h.st, h.b.log, EngineConfig{Workers: 1, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	b := New(h.st, engine, hp, h.media, h.b.log, Config{Routes: Routes{Default: "CINBOX"}})
	hp.onPost = func() {
		if ch, err := b.Reassign(ctx, c.ID, "U1", "U2"); err != nil || !ch.Changed {
			t.Errorf("reassign: %+v %v", ch, err)
		}
	}

	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "back again"))
	for {
		lane, ok, err := h.st.ClaimLane(ctx, "test", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		engine.RunLane(ctx, lane, "test")
	}

	c, _ = h.st.Conversation(ctx, c.ID)
	if c.State != store.StateClaimed || c.AssigneeID != "U2" {
		t.Fatalf("stored %q %q: the text undid the assignment", c.State, c.AssigneeID)
	}
	_, _, _, us := h.poster.snapshot()
	if last := us[len(us)-1]; last.State != StateClaimed || last.AssigneeID != "U2" {
		t.Errorf("last header shows %q %q", last.State, last.AssigneeID)
	}
}

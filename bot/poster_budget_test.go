package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/store"
)

// openReplicaStores opens n stores on one database, as n replicas do.
func openReplicaStores(t *testing.T, n int) []*store.Store {
	t.Helper()
	url := testdb.URL(t)
	var out []*store.Store
	for range n {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

// postFromEach has every poster post perPoster thread posts into C1 at
// once, and returns the first error.
func postFromEach(posters []*slackpost.Poster, perPoster int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(posters)*perPoster)
	for i, p := range posters {
		for j := range perPoster {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := p.PostInThread(context.Background(), bridge.ThreadRef{Channel: "C1", TS: "1.1"},
					bridge.ThreadPost{Kind: bridge.KindNote, Text: fmt.Sprintf("replica %d post %d", i, j)})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Two posters, each with its own store on one database (two replicas),
// posting into one channel at once hold its rate together: a strict fake
// Slack refuses none of their posts. Each keeping a limiter of its own,
// as before, they post twice the rate and draw 429s.
func TestTwoPostersOnOneStoreHoldTheChannelRate(t *testing.T) {
	const perSecond = 4 // a test-sized rate: the fake and the posters agree on it
	stores := openReplicaStores(t, 2)

	srv := fakeslack.New(t, fakeslack.WithPostRate(perSecond))
	var shared []*slackpost.Poster
	for _, st := range stores {
		shared = append(shared, slackpost.NewPoster(srv.Client(), slackpost.WithChannelRate(rate.Limit(perSecond), 1), slackpost.WithSharedBudgets(st)))
	}
	if err := postFromEach(shared, 5); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages("C1")) + len(srv.ThreadReplies("C1", "1.1")); n != 10 {
		t.Fatalf("posts in C1 = %d, want 10", n)
	}
	if got := srv.RateLimited(); len(got) != 0 {
		t.Errorf("the fake refused %d posts for the channel's rate; two posters on one store must hold it together", len(got))
	}

	// The control: the same without the shared budget is over the rate.
	ctl := fakeslack.New(t, fakeslack.WithPostRate(perSecond))
	var own []*slackpost.Poster
	for range 2 {
		own = append(own, slackpost.NewPoster(ctl.Client(), slackpost.WithChannelRate(rate.Limit(perSecond), 1)))
	}
	_ = postFromEach(own, 5) // their in-call retries may still land every post
	if len(ctl.RateLimited()) == 0 {
		t.Errorf("two posters with limiters of their own drew no 429: the test cannot tell shared budgets from none")
	}
}

// A post retried after a 429 takes its turn from the shared budget again:
// right after it, the channel's next turn is an interval away for every
// replica. (Retried outside the budget, the channel would look free.)
func TestRetryAfter429SpendsTheSharedBudget(t *testing.T) {
	const perSecond = 2
	st := openReplicaStores(t, 1)[0]
	srv := fakeslack.New(t, fakeslack.WithPostRate(perSecond))
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(1))
	p := slackpost.NewPoster(srv.Client(), slackpost.WithChannelRate(rate.Limit(perSecond), 1), slackpost.WithSharedBudgets(st))
	if _, err := p.PostHeader(context.Background(), "C1", bridge.Header{OurNumber: "+18445550001", Remotes: []bridge.E164{"+13125550123"}}); err != nil {
		t.Fatal(err)
	}
	if calls := srv.Calls("chat.postMessage"); len(calls) != 2 || calls[0].Failure == nil || calls[1].Failure != nil {
		t.Fatalf("calls = %+v, want the injected 429 and one retry", calls)
	}
	wait, err := st.TakeToken(context.Background(), bridge.SlackPostBudget("C1"), perSecond, 1)
	if err != nil {
		t.Fatal(err)
	}
	if wait <= 0 {
		t.Errorf("right after the retried post the channel's budget gives a token at once: the retry did not spend it")
	}
	if n := len(srv.RateLimited()); n != 0 {
		t.Errorf("the fake refused %d posts for the rate", n)
	}
}

// A post that comes late to its turn (the bridge booked it, then its lane
// woke late or gathered texts first) does not crowd the next post, which
// comes on time: Slack counts the gap between their arrivals, not between
// the turns booked. Both posters hold turns booked in the shared budget, as
// bridge's postInbound books them (bridge.WithChannelTurn). The 3-replica
// burst drew its 429s this way.
func TestAPostLateToItsTurnDoesNotCrowdTheNextOnTime(t *testing.T) {
	const perSecond = 2 // 500 ms apart; the fake allows 100 ms of jitter
	ctx := context.Background()
	stores := openReplicaStores(t, 2)
	srv := fakeslack.New(t, fakeslack.WithPostRate(perSecond))
	var posters []*slackpost.Poster
	for _, st := range stores {
		posters = append(posters, slackpost.NewPoster(srv.Client(), slackpost.WithChannelRate(rate.Limit(perSecond), 1), slackpost.WithSharedBudgets(st)))
	}
	key := bridge.SlackPostBudget("C1")
	turn := func(st *store.Store, holder string) time.Duration {
		w, err := st.ReserveToken(ctx, key, holder, perSecond, 1)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	post := func(p *slackpost.Poster, text string) error {
		_, err := p.PostInThread(bridge.WithChannelTurn(ctx, "C1"), bridge.ThreadRef{Channel: "C1", TS: "1.1"}, bridge.ThreadPost{Kind: bridge.KindNote, Text: text})
		return err
	}
	if w := turn(stores[0], "lane:a"); w != 0 {
		t.Fatalf("the first turn is %s away", w)
	}
	next := turn(stores[1], "lane:b") // the next turn, one interval on
	late := make(chan error, 1)
	go func() {
		time.Sleep(350 * time.Millisecond) // replica 1 comes 350 ms late to its turn
		late <- post(posters[0], "late to its turn")
	}()
	time.Sleep(next) // replica 2 comes at its turn
	if w := turn(stores[1], "lane:b"); w != 0 {
		t.Fatalf("the booked turn is %s away at its time", w)
	}
	if err := post(posters[1], "on time"); err != nil {
		t.Fatal(err)
	}
	if err := <-late; err != nil {
		t.Fatal(err)
	}
	if n := len(srv.ThreadReplies("C1", "1.1")); n != 2 {
		t.Fatalf("%d posts in the thread, want 2", n)
	}
	if got := srv.RateLimited(); len(got) != 0 {
		t.Errorf("the fake refused %d posts: the late post and the one on time arrived too close together", len(got))
	}
}

package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/telnyxhook"

	"github.com/smsbridge/smsbridge/store"
)

func TestInboundFirstTextCreatesThreadAndNextJoinsIt(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "deploy status?"))
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "hello?"))
	h.drain()
	hs, ps, _, _ := h.poster.snapshot()
	if len(hs) != 1 || hs[0].Channel != "CINBOX" {
		t.Fatalf("headers: %+v", hs)
	}
	if hs[0].H.OurNumber != "+18445550001" || len(hs[0].H.Remotes) != 1 || hs[0].H.Remotes[0] != "+13125550123" {
		t.Fatalf("header: %+v", hs[0].H)
	}
	// Both were queued before the worker ran: they ride in the header.
	shown := h.poster.shown()
	if got := h.poster.shownTexts(); !slices.Equal(got, []string{"deploy status?", "hello?"}) || len(ps) != 0 {
		t.Fatalf("texts shown %q, thread posts %+v", got, ps)
	}
	for _, s := range shown {
		if s.ThreadTS != hs[0].TS {
			t.Fatalf("text outside the thread: %+v", s)
		}
	}
}

func TestInboundSecondNumberGetsItsOwnThreadAndRoute(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "a"))
	h.ingest(inboundBody("e2", "m2", "+14155550188", "+18445550001", "b"))
	h.ingest(inboundBody("e3", "m3", "+13125550123", "+18445550002", "c"))
	h.drain()
	hs, ps, _, _ := h.poster.snapshot()
	if len(hs) != 3 {
		t.Fatalf("want 3 threads, got %d", len(hs))
	}
	channels := map[string]int{}
	for _, x := range hs {
		channels[x.Channel]++
	}
	if channels["CINBOX"] != 2 || channels["CSECOND"] != 1 {
		t.Fatalf("routing: %v", channels)
	}
	shown := h.poster.shown()
	if len(ps) != 0 || len(shown) != 3 || shown[0].ThreadTS == shown[1].ThreadTS || shown[1].ThreadTS == shown[2].ThreadTS {
		t.Fatalf("each first text rides in its own thread's header: %+v, posts %+v", shown, ps)
	}
}

func TestInboundDuplicateEventPostsOnce(t *testing.T) {
	h := newHarness(t)
	body := inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi")
	if !h.ingest(body) || h.ingest(body) || h.ingest(body) {
		t.Fatal("redelivery was stored as new")
	}
	// The same message under a new event id (Telnyx retried with a new
	// envelope) is still one message.
	h.ingest(inboundBody("e1b", "m1", "+13125550123", "+18445550001", "hi"))
	h.drain()
	if got := h.poster.shownTexts(); len(got) != 1 {
		t.Fatalf("shown %d times: %q", len(got), got)
	}
}

func TestInboundSimultaneousFirstTextsCreateOneThread(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "one"))
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "two"))
	// Run the real engine with several workers at once.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.engine.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if len(h.poster.shown()) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	hs, _, _, _ := h.poster.snapshot()
	if got := h.poster.shownTexts(); len(hs) != 1 || !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("headers %d texts %q", len(hs), got)
	}
}

func TestInboundAfterRestartJoinsSameThread(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "before"))
	h.drain()
	h.st.Close()
	h.clock.Advance(72 * time.Hour)
	h.open()
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "after, days later"))
	h.drain()
	hs, ps, _, _ := h.poster.snapshot()
	if len(hs) != 1 || len(ps) != 1 || ps[0].Parent.TS != hs[0].TS || ps[0].P.Text != "after, days later" {
		t.Fatalf("headers %+v posts %+v", hs, ps)
	}
}

func TestInboundSlackOutageDelaysButLosesNothing(t *testing.T) {
	h := newHarness(t)
	h.poster.failN = 3
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "one"))
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "two"))
	h.drain()
	hs, _, _, _ := h.poster.snapshot()
	if got := h.poster.shownTexts(); len(hs) != 1 || !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("headers %d texts %q", len(hs), got)
	}
	var ev store.Event
	h.st.DB().Where("external_id = ?", "e1").Take(&ev)
	if ev.Status != store.EventDone || ev.Attempts == 0 {
		t.Fatalf("event %+v", ev)
	}
}

func TestInboundGroupMMSIsOneConversation(t *testing.T) {
	h := newHarness(t)
	fixture, err := os.ReadFile("../telnyx/testdata/webhooks/message.received.group_mms.json")
	if err != nil {
		t.Fatal(err)
	}
	h.ingest(fixture)
	// Another member of the group writes: same set of participants.
	h.ingest(inboundBody("e2", "m2", "+14155550188", "+18445550001", "me too", "+13125550123", "+16465550142"))
	h.drain()
	hs, ps, _, _ := h.poster.snapshot()
	if len(hs) != 1 || len(hs[0].H.Remotes) != 3 {
		t.Fatalf("headers: %+v", hs)
	}
	if s := h.poster.shown(); len(s) != 2 || s[0].From != "+13125550123" || s[1].From != "+14155550188" {
		t.Fatalf("group texts must say who wrote: %+v (posts %+v)", s, ps)
	}
}

func TestInboundMMSUploadsMediaAndReportsFailedDownload(t *testing.T) {
	h := newHarness(t)
	fixture, err := os.ReadFile("../telnyx/testdata/webhooks/message.received.mms.json")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://media.telnyx.com/example/5b2c7d0e-3a41-4e7e-9d0b-1f2a3b4c5d6e/0.jpg"
	h.media.body[url] = []byte("JPEGDATA")
	h.ingest(fixture)
	h.drain()
	hs, ps, fs, _ := h.poster.snapshot()
	if len(fs) != 1 || string(fs[0].Body) != "JPEGDATA" || fs[0].Name != "0.jpg" || fs[0].Parent.TS != hs[0].TS {
		t.Fatalf("files: %+v", fs)
	}

	// A second MMS whose media is gone: the link and reason are posted.
	body := strings.Replace(string(fixture), "0f4c1b54", "1f4c1b54", 1)
	body = strings.Replace(body, "5b2c7d0e-3a41-4e7e-9d0b-1f2a3b4c5d6e\",", "5b2c7d0e-0000-4e7e-9d0b-1f2a3b4c5d6e\",", 1)
	body = strings.Replace(body, "/0.jpg", "/gone.jpg", 1)
	h.ingest([]byte(body))
	h.drain()
	_, ps, fs, _ = h.poster.snapshot()
	last := ps[len(ps)-1]
	if len(fs) != 1 || last.P.Kind != KindError || !strings.Contains(last.P.Text, "gone.jpg") || !strings.Contains(last.P.Text, "404") {
		t.Fatalf("want a failure note with link and reason, got %+v", last)
	}
}

func TestInboundStopOptsOutAndStartOptsBackIn(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi"))
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", " Stop "))
	h.drain()
	c, err := h.st.ConversationByNumbers(context.Background(), store.KindSMS, "+18445550001", "+13125550123")
	if err != nil || !c.OptedOut || c.OptOutKeyword != "STOP" {
		t.Fatalf("%+v %v", c, err)
	}
	_, ps, _, us := h.poster.snapshot()
	if len(us) != 1 || !us[0].OptedOut {
		t.Fatalf("header not updated: %+v", us)
	}
	if n := ps[len(ps)-1]; n.P.Kind != KindNote || !strings.Contains(n.P.Text, "opted out") {
		t.Fatalf("no note: %+v", n)
	}
	h.ingest(inboundBody("e3", "m3", "+13125550123", "+18445550001", "START"))
	h.drain()
	c, _ = h.st.Conversation(context.Background(), c.ID)
	_, _, _, us = h.poster.snapshot()
	if c.OptedOut || len(us) != 2 || us[1].OptedOut {
		t.Fatalf("not opted back in: %+v", c)
	}
}

func TestInboundReopensResolvedAndMentionsAssignee(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi"))
	h.drain()
	c, _ := h.st.ConversationByNumbers(ctx, store.KindSMS, "+18445550001", "+13125550123")
	h.st.UpdateConversation(ctx, c.ID, map[string]any{"state": "claimed", "assignee_id": "U777"})
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "still there?"))
	h.drain()
	_, ps, _, _ := h.poster.snapshot()
	if ps[len(ps)-1].P.Mention != "U777" {
		t.Fatalf("assignee not mentioned: %+v", ps[len(ps)-1])
	}
	now := h.clock.Now()
	h.st.UpdateConversation(ctx, c.ID, map[string]any{"state": "resolved", "resolved_by": "U777", "resolved_at": now})
	h.ingest(inboundBody("e3", "m3", "+13125550123", "+18445550001", "one more thing"))
	h.drain()
	c, _ = h.st.Conversation(ctx, c.ID)
	_, ps, _, us := h.poster.snapshot()
	if c.State != "open" || us[len(us)-1].State != StateOpen || !strings.Contains(ps[len(ps)-1].P.Text, "Reopened") {
		t.Fatalf("not reopened: %+v", c)
	}
}

func TestInboundAfterLongSilenceStartsLinkedThread(t *testing.T) {
	h := newHarness(t)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi"))
	h.drain()
	h.clock.Advance(31 * 24 * time.Hour)
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "remember me?"))
	h.drain()
	hs, ps, _, _ := h.poster.snapshot()
	if len(hs) != 2 || hs[1].H.PreviousThread == nil || hs[1].H.PreviousThread.TS != hs[0].TS {
		t.Fatalf("headers: %+v", hs)
	}
	if len(hs[1].H.Texts) != 1 || hs[1].H.Texts[0].Text != "remember me?" {
		t.Fatalf("text not in the new thread's header: %+v (posts %+v)", hs[1].H, ps)
	}
}

func TestLinkClickNotesInThread(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "hi"))
	h.drain()
	c, _ := h.st.ConversationByNumbers(ctx, store.KindSMS, "+18445550001", "+13125550123")
	id := "40385f64-5717-4562-b3fc-2c963f66afa6"
	h.st.InsertMessage(ctx, &store.Message{ConversationID: c.ID, Direction: store.Outbound, TelnyxID: &id, Text: "see runbook"})
	fixture, _ := os.ReadFile("../telnyx/testdata/webhooks/link_clicked.json")
	h.ingest(fixture)
	h.ingest(fixture) // same click twice
	h.drain()
	_, ps, _, _ := h.poster.snapshot()
	if len(ps) != 1 || !strings.Contains(ps[0].P.Text, "https://runbooks.example.com/deploy") {
		t.Fatalf("posts: %+v", ps)
	}
}

// slowPoster holds PostHeader and PostInThread until released, like a
// long Retry-After.
type slowPoster struct {
	*recPoster
	entered chan struct{}
	release chan struct{}
}

func (s *slowPoster) PostInThread(ctx context.Context, parent ThreadRef, p ThreadPost) (string, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.recPoster.PostInThread(ctx, parent, p)
}

func (s *slowPoster) PostHeader(ctx context.Context, ch string, h Header) (ThreadRef, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.recPoster.PostHeader(ctx, ch, h)
}

func TestSlowHandlerKeepsItsLane(t *testing.T) {
	h := newHarness(t)
	slow := &slowPoster{recPoster: h.poster, entered: make(chan struct{}, 1), release: make(chan struct{})}
	log := slog.New(slog.DiscardHandler)
	// Real time here: the lease is short and the heartbeat must renew it.
	st, err := store.Open(context.Background(), testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng := NewEngine(st, log, EngineConfig{Workers: 2, Lease: time.Second, PollInterval: 10 * time.Millisecond})
	b := New(st, eng, slow, h.media, log, Config{Routes: Routes{Default: "CINBOX"}})
	ev, _ := telnyxhook.ParseWebhook(inboundBody("e1", "m1", "+13125550123", "+18445550001", "slow"))
	if _, err := b.IngestTelnyx(context.Background(), ev, inboundBody("e1", "m1", "+13125550123", "+18445550001", "slow")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); eng.Run(ctx) }()
	<-slow.entered
	// Three leases' worth of waiting: without renewal the second worker
	// would take the lane and post the same text again.
	select {
	case <-slow.entered:
		t.Fatal("a second worker took the lane of a handler still running")
	case <-time.After(3 * time.Second):
	}
	close(slow.release)
	cancel()
	wg.Wait()
	if got := h.poster.shownTexts(); len(got) != 1 {
		t.Fatalf("shown %d times", len(got))
	}
}

func TestEveryEarlierThreadOfAConversationIsRecognised(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i, text := range []string{"first", "second, a month later", "third, another month later"} {
		if i > 0 {
			h.clock.Advance(31 * 24 * time.Hour)
		}
		h.ingest(inboundBody(fmt.Sprintf("e%d", i), fmt.Sprintf("m%d", i), "+13125550123", "+18445550001", text))
		h.drain()
	}
	hs, _, _, _ := h.poster.snapshot()
	if len(hs) != 3 {
		t.Fatalf("%d threads", len(hs))
	}
	for _, old := range hs[:2] {
		c, err := h.st.ConversationByPrevThread(ctx, old.Channel, old.TS)
		if err != nil || c.ThreadTS != hs[2].TS {
			t.Fatalf("thread %s: conversation %+v err %v", old.TS, c, err)
		}
	}
	if _, err := h.st.ConversationByPrevThread(ctx, hs[2].Channel, hs[2].TS); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the current thread counted as an earlier one: %v", err)
	}
}

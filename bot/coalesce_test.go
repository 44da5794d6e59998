package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// coalesceEnv is the inbound path as serve builds it, with the channel's
// budget in the store at 1 post/s (bridge.Config.SlackRate, the poster's
// shared budgets), on a clock that moves only when told: a text that had
// to wait for the channel's turn stays unposted until the clock moves.
type coalesceEnv struct {
	*inboxEnv
}

func newCoalesceEnv(t *testing.T) *coalesceEnv {
	t.Helper()
	e := &inboxEnv{t: t, srv: fakeslack.New(t, fakeslack.WithoutRateLimits()), clock: &inboxClock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}}
	st, err := store.Open(context.Background(), testdb.URL(t), store.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	log := slog.New(slog.DiscardHandler)
	poster := slackpost.NewPoster(e.srv.Client(), slackpost.WithClock(e.clock.Now, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }),
		slackpost.WithWorkspaceURL(fakeslack.WorkspaceURL), slackpost.WithChannelRate(rate.Limit(1), 1), slackpost.WithSharedBudgets(st))
	e.engine = bridge.NewEngine(st, log, bridge.EngineConfig{Workers: 2, PollInterval: 5 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	e.br = bridge.New(st, e.engine, poster, nil, log, bridge.Config{Routes: bridge.Routes{Default: inboxChannel}, SlackRate: 1})
	return &coalesceEnv{e}
}

// groupText ingests an inbound text of the group {remoteA, remoteB} sent
// by from, as Telnyx sends a group MMS.
func (e *coalesceEnv) groupText(eventID, from, other, body string) {
	e.t.Helper()
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	raw, _ := json.Marshal(map[string]any{"data": map[string]any{
		"event_type": "message.received", "id": eventID, "record_type": "event",
		"payload": map[string]any{"id": "msg-" + eventID, "direction": "inbound", "type": "MMS", "text": body,
			"from": ep{from}, "to": []ep{{ourNumber}}, "cc": []ep{{other}}, "media": []any{}},
	}})
	e.ingest(raw)
}

func (e *coalesceEnv) ingest(raw []byte) {
	e.t.Helper()
	ev, err := telnyxhook.ParseWebhook(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.br.IngestTelnyx(context.Background(), ev, raw); err != nil {
		e.t.Fatal(err)
	}
}

// Five texts queued in one conversation go as one post holding all five,
// in order, each with its sender (a group) and its time; each text keeps
// its own message, which knows the post it went in, so a link click on one
// still finds it.
func TestFiveQueuedTextsBecomeOnePostInOrder(t *testing.T) {
	e := newCoalesceEnv(t)
	const ana, ben = "+13125550123", "+14155550188"
	conv := e.conversation(ana+","+ben, nil)
	senders := []string{ana, ben, ana, ana, ben}
	for i, from := range senders {
		other := ben
		if from == ben {
			other = ana
		}
		e.groupText(fmt.Sprintf("e%d", i+1), from, other, fmt.Sprintf("text number %d", i+1))
		e.clock.Advance(time.Minute) // each its own time
	}
	e.runEngine()
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) > 0 }, 5*time.Second)
	// The five events are all done once the post is; give the other
	// worker no chance to add a second post unseen.
	e.srv.WaitFor(func() bool {
		var n int64
		e.st.DB().Model(&store.Event{}).Where("status = ?", store.EventPending).Count(&n)
		return n == 0
	}, 5*time.Second)

	replies := e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)
	if len(replies) != 1 {
		t.Fatalf("%d thread posts, want one holding all five: %+v", len(replies), replies)
	}
	post := replies[0]
	shown := post.BlockText()
	last := -1
	for i, from := range senders {
		text := fmt.Sprintf("text number %d", i+1)
		at := strings.Index(shown, text)
		if at <= last {
			t.Fatalf("%q missing or out of order in the post:\n%s", text, shown)
		}
		// Its sender and its time come right before it.
		label := shown[max(last, 0):at]
		when := e.clock.Now().Add(-time.Duration(len(senders)-i) * time.Minute)
		if !strings.Contains(label, slackpost.FormatNumber(bridge.E164(from))) || !strings.Contains(label, fmt.Sprintf("<!date^%d^", when.Unix())) {
			t.Errorf("text %d is not labelled with its sender %s and time %s: %q", i+1, from, when, label)
		}
		last = at
	}
	for i, line := range strings.Split(post.Text, "\n") {
		if !strings.Contains(line, fmt.Sprintf("text number %d", i+1)) {
			t.Errorf("fallback text line %d is %q", i, line)
		}
	}

	for i := range senders {
		m, err := e.st.MessageByTelnyxID(context.Background(), fmt.Sprintf("msg-e%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if m.SlackTS != post.TS || m.SlackChannel != inboxChannel {
			t.Errorf("text %d's message records post %s/%s, want %s", i+1, m.SlackChannel, m.SlackTS, post.TS)
		}
	}

	// A link click on the third text finds it.
	click, _ := json.Marshal(map[string]any{"data": map[string]any{
		"record_type": "link_clicked", "url": "https://example.com/offer", "to": ana,
		"message_id": "msg-e3", "time_clicked": "2026-06-01T09:10:00Z",
	}})
	e.clock.Advance(time.Minute) // the channel's next turn
	e.ingest(click)
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) == 2 }, 5*time.Second)
	note := e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)[1]
	if !strings.Contains(note.Text, "https://example.com/offer") || !strings.Contains(note.Text, "text number 3") {
		t.Errorf("the click's note does not name its text: %q", note.Text)
	}
}

// Under light load nothing waits: one text in an idle channel posts alone
// with the clock standing still, so it took no booked turn. The next one,
// a moment later, finds the channel's turn taken and waits in the store
// for its own (one interval), then posts.
func TestSingleTextUnderLightLoadPostsAtOnce(t *testing.T) {
	e := newCoalesceEnv(t)
	conv := e.conversation("+13125550123", nil)
	e.runEngine()
	e.text("e1", "+13125550123", "are you open today?")
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) == 1 }, 5*time.Second)
	if got := e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)[0]; !strings.Contains(got.Text, "are you open today?") {
		t.Fatalf("posted %q", got.Text)
	}

	e.text("e2", "+13125550123", "and tomorrow?")
	lane := "conv:" + ourNumber + "|+13125550123"
	e.srv.WaitFor(func() bool {
		var l store.Lane
		return e.st.DB().Where("name = ?", lane).Take(&l).Error == nil && l.DueAt != nil && l.DueAt.After(e.clock.Now())
	}, 5*time.Second)
	if n := len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)); n != 1 {
		t.Fatalf("the second text posted within the channel's interval: %d posts", n)
	}
	e.clock.Advance(time.Second)
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) == 2 }, 5*time.Second)
}

// pendingEvents counts the events not yet done.
func (e *coalesceEnv) pendingEvents() int64 {
	var n int64
	e.st.DB().Model(&store.Event{}).Where("status = ?", store.EventPending).Count(&n)
	return n
}

// A waiting spell is shown to the channel once however its texts are
// posted: three texts queued in an answered conversation's thread go as
// one post, and that post is the spell's broadcast (reply_broadcast), its
// conversation marked signalled; a text after it, while the conversation
// still waits, stays in the thread.
func TestCoalescedPostThatStartsASpellIsItsOneBroadcast(t *testing.T) {
	e := newCoalesceEnv(t)
	const ana = "+13125550123"
	conv := e.conversation(ana, nil) // answered: it does not wait
	for i := 1; i <= 3; i++ {
		e.text(fmt.Sprintf("s%d", i), ana, fmt.Sprintf("back again %d", i))
	}
	e.runEngine()
	e.srv.WaitFor(func() bool { return e.pendingEvents() == 0 }, 5*time.Second)

	replies := e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "back again 1") || !strings.Contains(replies[0].Text, "back again 3") {
		t.Fatalf("thread posts %+v, want one holding the three texts", replies)
	}
	b := e.srv.Broadcasts(inboxChannel)
	if len(b) != 1 || b[0].TS != replies[0].TS {
		t.Fatalf("broadcasts %+v, want the one coalesced post", b)
	}
	if c := e.load(conv.ID); !c.WaitingSignaled || c.WaitingCount != 3 {
		t.Fatalf("after the coalesced post the conversation is signalled %v with %d waiting, want true and 3", c.WaitingSignaled, c.WaitingCount)
	}

	e.clock.Advance(time.Minute) // the channel's next turn
	e.text("s4", ana, "hello?")
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) == 2 }, 5*time.Second)
	if b := e.srv.Broadcasts(inboxChannel); len(b) != 1 {
		t.Fatalf("%d broadcasts after a text while still waiting, want still 1", len(b))
	}
}

// A new conversation's first texts ride in its header, and the header is
// the spell's signal: nothing is broadcast, the spell is marked signalled,
// and the next text stays in the thread.
func TestFirstTextsInANewHeaderAreTheSpellsSignal(t *testing.T) {
	e := newCoalesceEnv(t)
	const ben = "+14155550188"
	e.text("n1", ben, "hi, first time here")
	e.text("n2", ben, "and a second thing")
	e.runEngine()
	e.srv.WaitFor(func() bool { return e.pendingEvents() == 0 }, 5*time.Second)
	conv, err := e.st.ConversationByNumbers(context.Background(), store.KindSMS, ourNumber, ben)
	if err != nil {
		t.Fatal(err)
	}
	if top := e.srv.Channel(inboxChannel); len(top) != 1 || !strings.Contains(top[0].BlockText(), "and a second thing") {
		t.Fatalf("the channel shows %+v, want the header holding both texts", top)
	}
	if !conv.WaitingSignaled || conv.WaitingCount != 2 || len(e.srv.Broadcasts(inboxChannel)) != 0 {
		t.Fatalf("new conversation: signalled %v, %d waiting, %d broadcasts; want true, 2, 0",
			conv.WaitingSignaled, conv.WaitingCount, len(e.srv.Broadcasts(inboxChannel)))
	}
	e.clock.Advance(time.Minute)
	e.text("n3", ben, "still there?")
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(inboxChannel, conv.ThreadTS)) == 1 }, 5*time.Second)
	if n := len(e.srv.Broadcasts(inboxChannel)); n != 0 {
		t.Fatalf("%d broadcasts for a text in a signalled spell, want 0", n)
	}
}

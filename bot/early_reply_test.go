package bot_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
)

// A teammate can answer a header within milliseconds of Slack showing it,
// before the header's ts is stored (bridge's openThread posts the header,
// then records it). Such a reply used to be taken for a message in some
// other thread and dropped without a word.

// logWatch is a slog handler that closes seen the first time a record's
// message contains want.
type logWatch struct {
	want string
	once *sync.Once
	seen chan struct{}
}

func newLogWatch(want string) *logWatch {
	return &logWatch{want: want, once: &sync.Once{}, seen: make(chan struct{})}
}

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatch) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *logWatch) WithGroup(string) slog.Handler            { return w }
func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return nil
}

func (w *logWatch) saw() bool {
	select {
	case <-w.seen:
		return true
	default:
		return false
	}
}

// waitLog is the line the outbox logs when a reply waits for its thread.
const waitLog = "reply came before its thread was stored"

func withLog(h slog.Handler) obOption { return func(o *obHarness) { o.log = slog.New(h) } }

// unrecordThread makes c's header as it is between posting and storing its
// ts: posted in Slack, unknown to the store. It returns a function that
// stores it.
func (h *obHarness) unrecordThread(c *store.Conversation) (record func()) {
	h.t.Helper()
	ctx := context.Background()
	if err := h.st.UpdateConversation(ctx, c.ID, map[string]any{"thread_ts": ""}); err != nil {
		h.t.Fatal(err)
	}
	return func() {
		if err := h.st.UpdateConversation(ctx, c.ID, map[string]any{"thread_ts": c.ThreadTS}); err != nil {
			h.t.Error(err)
		}
	}
}

func TestAReplyBeforeItsThreadIsStoredWaitsForItAndIsSentOnce(t *testing.T) {
	watch := newLogWatch(waitLog)
	h := newOB(t, withLog(watch))
	h.start()
	c := h.conversation()
	record := h.unrecordThread(c)
	body, _ := h.reply(c, "On my way")

	answered := make(chan int, 1)
	go func() { answered <- h.postEvent(body, 0) }()
	select {
	case <-watch.seen:
		record() // the header's ts is stored while the reply waits
	case code := <-answered:
		t.Fatalf("the reply was answered %d before its thread was stored, without waiting for it: dropped", code)
	case <-time.After(10 * time.Second):
		t.Fatal("the reply neither waited nor was answered")
	}
	if code := <-answered; code != http.StatusOK {
		t.Fatalf("the reply was answered %d once its thread was stored, want 200", code)
	}
	h.settle()
	sends := h.tx.sends()
	if len(sends) != 1 || sends[0].Text != "On my way" || len(sends[0].To) != 1 || sends[0].To[0] != obRemote {
		t.Fatalf("sent %+v, want the reply once to %s", sends, obRemote)
	}
}

func TestAReplyInAThreadStillUnknownIsRefusedSoSlackDeliversItAgain(t *testing.T) {
	h := newOB(t, withOutboundConfig(func(c *bridge.OutboundConfig) { c.ThreadWait = 50 * time.Millisecond }))
	h.start()
	c := h.conversation()
	record := h.unrecordThread(c)
	body, _ := h.reply(c, "Your table is ready")

	if code := h.postEvent(body, 0); code < 500 {
		t.Fatalf("a reply whose young thread is still unknown was answered %d: Slack will not deliver it again", code)
	}
	counts, err := h.st.EventCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.EventPending]+counts[store.EventDone] != 0 {
		t.Fatalf("the refused reply stored work: %v", counts)
	}
	record()
	if code := h.postEvent(body, 1); code != http.StatusOK {
		t.Fatalf("Slack's redelivery, the thread now stored: %d", code)
	}
	if code := h.postEvent(body, 2); code != http.StatusOK {
		t.Fatalf("a second redelivery: %d", code)
	}
	h.settle()
	if sends := h.tx.sends(); len(sends) != 1 || sends[0].Text != "Your table is ready" {
		t.Fatalf("sent %+v, want the reply once", sends)
	}
}

func TestRepliesInThreadsThatCannotBeAConversationsDoNotWait(t *testing.T) {
	watch := newLogWatch(waitLog)
	h := newOB(t, withLog(watch))
	h.start()

	// A thread under a teammate's own message (Slack names its author in
	// parent_user_id), answered at once.
	parent := h.slack.AddUserMessage(obChannel, "", obUser, "lunch?")
	ts := h.slack.AddUserMessage(obChannel, parent, "U0BEA", "yes")
	chat := h.eventBody(obMsg{user: "U0BEA", text: "yes", threadTS: parent, ts: ts, parentUser: obUser})
	if code := h.postEvent(chat, 0); code != http.StatusOK {
		t.Fatalf("a reply under a teammate's message: %d", code)
	}
	// A thread older than any header still being stored.
	old := h.eventBody(obMsg{user: obUser, text: "late", threadTS: "1600000000.000100", ts: ts})
	if code := h.postEvent(old, 0); code != http.StatusOK {
		t.Fatalf("a reply in an old thread that is no conversation's: %d", code)
	}
	if watch.saw() {
		t.Fatal("a reply that cannot be in a conversation's thread waited for one")
	}
	if n := h.tx.attempts(); n != 0 {
		t.Fatalf("%d sends for replies outside conversations", n)
	}
}

// On Slack's last delivery (its third retry) a reply whose thread is still
// unknown is not refused again, which would drop it in silence: the thread
// says it was not sent, and why.
func TestAReplyInAThreadNeverStoredIsToldOnSlacksLastDelivery(t *testing.T) {
	h := newOB(t, withOutboundConfig(func(c *bridge.OutboundConfig) { c.ThreadWait = 20 * time.Millisecond }))
	h.start()
	c := h.conversation()
	h.unrecordThread(c) // an orphaned header: never stored
	body, _ := h.reply(c, "Are you still there?")
	if code := h.postEvent(body, 2); code < 500 {
		t.Fatalf("the second retry was answered %d, want a refusal Slack retries", code)
	}
	if code := h.postEvent(body, 3); code != http.StatusOK {
		t.Fatalf("Slack's last delivery was answered %d, want 200", code)
	}
	h.settle()
	if n := h.tx.attempts(); n != 0 {
		t.Fatalf("%d sends for a reply in a thread that is no conversation's", n)
	}
	told := 0
	for _, m := range h.slack.ThreadReplies(c.Channel, c.ThreadTS) {
		if strings.Contains(m.Text, "Not sent: this thread is not a conversation's") {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("the thread was told %d times that the reply was not sent, want once", told)
	}
}

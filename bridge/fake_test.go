package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// recPoster is a hand-written Poster that records what the bridge asked for.
// End-to-end tests through Slack's wire format live in the e2e package; these
// pin the bridge's own decisions.
type recPoster struct {
	mu      sync.Mutex
	seq     int
	headers []recHeader
	updates []Header
	posts   []recPost
	files   []recFile
	failN   int // fail the next failN calls with a transient error
}

type recHeader struct {
	Channel string
	TS      string
	H       Header
}
type recPost struct {
	Parent ThreadRef
	TS     string
	P      ThreadPost
}
type recFile struct {
	Parent ThreadRef
	Name   string
	Body   []byte
}

var errSlackDown = errors.New("slack: 503")

func (r *recPoster) fail() bool {
	if r.failN > 0 {
		r.failN--
		return true
	}
	return false
}

func (r *recPoster) nextTS() string { r.seq++; return fmt.Sprintf("1700000000.%06d", r.seq) }

func (r *recPoster) PostHeader(_ context.Context, ch string, h Header) (ThreadRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail() {
		return ThreadRef{}, errSlackDown
	}
	ts := r.nextTS()
	r.headers = append(r.headers, recHeader{ch, ts, h})
	return ThreadRef{Channel: ch, TS: ts}, nil
}
func (r *recPoster) UpdateHeader(_ context.Context, _ ThreadRef, h Header) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail() {
		return errSlackDown
	}
	r.updates = append(r.updates, h)
	return nil
}
func (r *recPoster) PostInThread(_ context.Context, parent ThreadRef, p ThreadPost) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail() {
		return "", errSlackDown
	}
	ts := r.nextTS()
	r.posts = append(r.posts, recPost{parent, ts, p})
	return ts, nil
}
func (r *recPoster) UploadFile(_ context.Context, parent ThreadRef, f File) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail() {
		return errSlackDown
	}
	b, _ := io.ReadAll(f.Body)
	r.files = append(r.files, recFile{parent, f.Name, b})
	return nil
}
func (r *recPoster) React(context.Context, ThreadRef, string) error          { return nil }
func (r *recPoster) RemoveReaction(context.Context, ThreadRef, string) error { return nil }

func (r *recPoster) snapshot() (hs []recHeader, ps []recPost, fs []recFile, us []Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recHeader(nil), r.headers...), append([]recPost(nil), r.posts...), append([]recFile(nil), r.files...), append([]Header(nil), r.updates...)
}

type fakeMedia struct {
	body map[string][]byte
}

func (f *fakeMedia) FetchMedia(_ context.Context, url string, limit int64) ([]byte, string, error) {
	b, ok := f.body[url]
	if !ok {
		return nil, "", errors.New("404 Not Found")
	}
	if int64(len(b)) > limit {
		return nil, "", errors.New("too large")
	}
	return b, "image/jpeg", nil
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type harness struct {
	t      *testing.T
	st     *store.Store
	poster *recPoster
	media  *fakeMedia
	b      *Bridge
	engine *Engine
	clock  *testClock
	dbPath string
	// waiting is the bridge's Config.Waiting at the next open.
	waiting WaitingConfig
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, poster: &recPoster{}, media: &fakeMedia{body: map[string][]byte{}},
		clock: &testClock{t: time.Date(2026, 8, 20, 15, 0, 0, 0, time.UTC)}, dbPath: testdb.URL(t)}
	h.open()
	return h
}

// open (re)opens the store and bridge on the same database, like a restart.
func (h *harness) open() {
	st, err := store.Open(context.Background(), h.dbPath, store.WithClock(h.clock.Now))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { st.Close() })
	h.st = st
	log := slog.New(slog.DiscardHandler)
	h.engine = NewEngine(st, log, EngineConfig{Workers: 3, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	h.b = New(st, h.engine, h.poster, h.media, log, Config{Routes: Routes{Default: "CINBOX", ByNumber: map[E164]string{"+18445550002": "CSECOND"}}, Waiting: h.waiting})
}

// drain runs the engine until no lane is due (the clock is frozen, so
// retries with backoff become due when the clock is advanced).
func (h *harness) drain() {
	h.t.Helper()
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		lane, ok, err := h.st.ClaimLane(ctx, "test", time.Minute)
		if err != nil {
			h.t.Fatal(err)
		}
		if !ok {
			return
		}
		h.engine.RunLane(ctx, lane, "test")
		h.clock.Advance(10 * time.Millisecond)
	}
	h.t.Fatal("engine did not settle")
}

func (h *harness) ingest(body []byte) bool {
	h.t.Helper()
	ev, err := telnyxhook.ParseWebhook(body)
	if err != nil {
		h.t.Fatal(err)
	}
	ok, err := h.b.IngestTelnyx(context.Background(), ev, body)
	if err != nil {
		h.t.Fatal(err)
	}
	return ok
}

// inboundBody builds a message.received body.
func inboundBody(eventID, msgID, from, to, text string, cc ...string) []byte {
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	ccs := []ep{}
	for _, c := range cc {
		ccs = append(ccs, ep{c})
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{
		"event_type": "message.received", "id": eventID, "record_type": "event",
		"payload": map[string]any{"id": msgID, "direction": "inbound", "type": "SMS", "text": text,
			"from": ep{from}, "to": []ep{{to}}, "cc": ccs, "media": []any{}},
	}})
	return body
}

// shownText is an inbound text as a reader sees it: in a header or a
// thread post, alone or with others, with the ts of the post it went in.
type shownText struct {
	Text, From, PostTS, ThreadTS string
}

// shown lists every inbound text the poster was given, in the order
// posted: the texts a header carried, and those of inbound thread posts.
func (r *recPoster) shown() []shownText {
	r.mu.Lock()
	defer r.mu.Unlock()
	type item struct {
		ts    string
		texts []shownText
	}
	var items []item
	for _, h := range r.headers {
		it := item{ts: h.TS}
		for _, x := range h.H.Texts {
			it.texts = append(it.texts, shownText{x.Text, string(x.From), h.TS, h.TS})
		}
		items = append(items, it)
	}
	for _, p := range r.posts {
		if p.P.Kind != KindInbound {
			continue
		}
		it := item{ts: p.TS}
		if len(p.P.Texts) == 0 {
			it.texts = []shownText{{p.P.Text, string(p.P.From), p.TS, p.Parent.TS}}
		}
		for _, x := range p.P.Texts {
			from := ""
			if p.P.ShowFrom {
				from = string(x.From)
			}
			it.texts = append(it.texts, shownText{x.Text, from, p.TS, p.Parent.TS})
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.ts, b.ts) })
	var out []shownText
	for _, it := range items {
		out = append(out, it.texts...)
	}
	return out
}

// shownTexts is the text of each shown text, in order.
func (r *recPoster) shownTexts() []string {
	var out []string
	for _, s := range r.shown() {
		out = append(out, s.Text)
	}
	return out
}

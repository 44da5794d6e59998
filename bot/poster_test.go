package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackpost"
)

// fakeClock is a clock that only moves when told, and a sleep that records
// what it was asked to wait instead of waiting.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func newPoster(t *testing.T, opts ...slackpost.PosterOption) (*slackpost.Poster, *fakeslack.Server, *fakeClock) {
	t.Helper()
	// The poster runs on a fake clock, so its pacing does not happen in
	// wall time, where the fake Slack limits: the fake does not limit.
	srv := fakeslack.New(t, fakeslack.WithoutRateLimits())
	clock := &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	all := append([]slackpost.PosterOption{slackpost.WithClock(clock.Now, clock.Sleep)}, opts...)
	return slackpost.NewPosterFromToken(srv.Token(), srv.URL(), all...), srv, clock
}

var ctx = context.Background()

var header = bridge.Header{
	ConversationID: 42,
	OurNumber:      "+18445550001",
	Remotes:        []bridge.E164{"+13125550123"},
	ContactName:    "Jane Doe",
	State:          bridge.StateOpen,
}

func TestPostHeaderHasBlocksAndFallbackText(t *testing.T) {
	p, srv, _ := newPoster(t)
	ref, err := p.PostHeader(ctx, "C1", header)
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages("C1")
	if len(msgs) != 1 || ref != (bridge.ThreadRef{Channel: "C1", TS: msgs[0].TS}) {
		t.Fatalf("ref = %+v, messages = %+v", ref, msgs)
	}
	m := msgs[0]
	for _, want := range []string{"+1 312-555-0123", "Jane Doe", "open"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("fallback text %q lacks %q", m.Text, want)
		}
	}
	for _, want := range []string{"+1 312-555-0123", "+1 844-555-0001", "Jane Doe", "Open"} {
		if !strings.Contains(m.BlockText(), want) {
			t.Errorf("blocks %q lack %q", m.BlockText(), want)
		}
	}
	if got, want := strings.Join(m.ActionIDs(), ","), slackpost.ActionClaim+","+slackpost.ActionResolve+","+slackpost.ActionReassign; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
	if !strings.Contains(string(m.Blocks), `"value":"42"`) {
		t.Errorf("buttons do not carry the conversation id: %s", m.Blocks)
	}
	if m.Params.Get("link_names") != "false" || m.Params.Get("parse") != "none" {
		t.Errorf("link_names=%q parse=%q", m.Params.Get("link_names"), m.Params.Get("parse"))
	}
}

func TestUpdateHeaderShowsResolvedStateAndPreviousThread(t *testing.T) {
	p, srv, _ := newPoster(t)
	old, _ := p.PostHeader(ctx, "C1", header)
	h := header
	h.PreviousThread = &old
	ref, err := p.PostHeader(ctx, "C1", h)
	if err != nil {
		t.Fatal(err)
	}
	h.State, h.ResolvedBy, h.ResolvedAt = bridge.StateResolved, "U777", time.Unix(1700000000, 0)
	h.OptedOut, h.OptOutKeyword = true, "STOP"
	if err := p.UpdateHeader(ctx, ref, h); err != nil {
		t.Fatal(err)
	}
	m, _ := srv.Message("C1", ref.TS)
	text := m.BlockText()
	for _, want := range []string{"Resolved by <@U777>", "<!date^1700000000^", "Opted out (texted STOP)", fakeslack.Permalink("C1", old.TS)} {
		if !strings.Contains(text, want) {
			t.Errorf("updated header %q lacks %q", text, want)
		}
	}
	if m.Updates != 1 {
		t.Errorf("updates = %d", m.Updates)
	}
	if got, want := strings.Join(m.ActionIDs(), ","), slackpost.ActionReopen+","+slackpost.ActionReassign; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
}

func TestPostInThreadLandsInThread(t *testing.T) {
	p, srv, _ := newPoster(t)
	ref, _ := p.PostHeader(ctx, "C1", header)
	ts, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindInbound, From: "+13125550199", Text: "hello there",
		Actions: []bridge.Action{{ID: "retry_send", Label: "Retry", Value: "7", Style: "danger"}}})
	if err != nil {
		t.Fatal(err)
	}
	replies := srv.ThreadReplies("C1", ref.TS)
	if len(replies) != 1 || replies[0].TS != ts || replies[0].ThreadTS != ref.TS {
		t.Fatalf("replies = %+v", replies)
	}
	r := replies[0]
	if r.Text != "+1 312-555-0199: hello there" || !strings.Contains(r.BlockText(), "hello there") || !strings.Contains(r.BlockText(), "+1 312-555-0199") {
		t.Errorf("reply text %q blocks %q", r.Text, r.BlockText())
	}
	if ids := r.ActionIDs(); len(ids) != 1 || ids[0] != "retry_send" {
		t.Errorf("actions = %v", ids)
	}
}

func TestPostMentionsOnlyTheAssignee(t *testing.T) {
	p, srv, _ := newPoster(t)
	ref, _ := p.PostHeader(ctx, "C1", header)
	_, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindInbound, Text: "<!channel> hi", Mention: "U123"})
	if err != nil {
		t.Fatal(err)
	}
	r := srv.ThreadReplies("C1", ref.TS)[0]
	if !strings.HasPrefix(r.Text, "<@U123> ") || strings.Contains(r.Text, "<!channel>") {
		t.Errorf("text = %q", r.Text)
	}
	// A Mention that is not a user id is dropped, not written raw.
	_, _ = p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindNote, Text: "x", Mention: "!channel"})
	if r := srv.ThreadReplies("C1", ref.TS)[1]; strings.Contains(r.Text+string(r.Blocks), "<!") {
		t.Errorf("bad mention went on the wire: %q %s", r.Text, r.Blocks)
	}
}

func TestSMSTextCannotPing(t *testing.T) {
	cases := []struct{ in, wire string }{
		{"<!channel>", "&lt;!channel&gt;"},
		{"<!here|here>", "&lt;!here|here&gt;"},
		{"<@U123>", "&lt;@U123&gt;"},
		{"<!subteam^S1|@team>", "&lt;!subteam^S1|@team&gt;"},
		{"<#C1>", "&lt;#C1&gt;"},
		{"<https://evil.example|your bank>", "&lt;https://evil.example|your bank&gt;"},
		{"Tom & Jerry > 2 < 3", "Tom &amp; Jerry &gt; 2 &lt; 3"},
		{"&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"},
		// Plain @channel is no mention when link_names is false and text objects are verbatim.
		{"@channel @here", "@channel @here"},
	}
	for _, kind := range []bridge.NoteKind{bridge.KindInbound, bridge.KindOutbound, bridge.KindNote, bridge.KindError} {
		for _, c := range cases {
			t.Run(string(kind)+"/"+c.in, func(t *testing.T) {
				p, srv, _ := newPoster(t)
				ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
				if _, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: kind, From: "+13125550123", Text: c.in}); err != nil {
					t.Fatal(err)
				}
				m := srv.ThreadReplies("C1", ref.TS)[0]
				if !strings.Contains(m.Text, c.wire) {
					t.Errorf("text = %q, want it to contain %q", m.Text, c.wire)
				}
				if !strings.Contains(m.BlockText(), c.wire) {
					t.Errorf("blocks = %q, want them to contain %q", m.BlockText(), c.wire)
				}
				if strings.Contains(m.Text+m.BlockText(), "<!") || strings.Contains(m.Text+m.BlockText(), "<@") || strings.Contains(m.Text+m.BlockText(), "<#") {
					t.Errorf("a mention reached the wire: %q / %q", m.Text, m.BlockText())
				}
				if !strings.Contains(string(m.Blocks), `"verbatim":true`) || m.Params.Get("link_names") != "false" || m.Params.Get("parse") != "none" {
					t.Errorf("mention parsing not disabled: %s %v", m.Blocks, m.Params)
				}
			})
		}
	}
}

func TestHeaderEscapesContactName(t *testing.T) {
	p, srv, _ := newPoster(t)
	h := header
	h.ContactName = "<!channel> & co"
	if _, err := p.PostHeader(ctx, "C1", h); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages("C1")[0]
	if strings.Contains(m.Text+m.BlockText(), "<!channel>") || !strings.Contains(m.BlockText(), "&lt;!channel&gt; &amp; co") {
		t.Errorf("text %q blocks %q", m.Text, m.BlockText())
	}
}

func TestLongTextIsSplitWithinBlockLimits(t *testing.T) {
	p, _, _ := newPoster(t)
	ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	long := strings.Repeat("<&>", 2500) // 7500 runes, 30000 escaped
	if _, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindInbound, Text: long}); err != nil {
		t.Fatal(err) // the fake enforces Slack's 3000-character sections and 12,000-character messages
	}
}

// A text too long for one Slack message is shown whole, in order, as
// several posts, never refused by Slack.
func TestTooLongTextIsPostedWholeInSeveralPostsInOrder(t *testing.T) {
	p, srv, _ := newPoster(t)
	ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	var long strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&long, "<%d> ", i) // 3000 numbered pieces, about 30,000 characters once escaped
	}
	if _, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindInbound, Text: long.String(),
		Actions: []bridge.Action{{ID: "x", Label: "Go", Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.ThreadReplies("C1", ref.TS)
	if len(msgs) < 3 {
		t.Fatalf("%d posts, want the text split over several", len(msgs))
	}
	var whole strings.Builder
	for i, m := range msgs {
		prefix := fmt.Sprintf("(part %d of %d) ", i+1, len(msgs))
		if !strings.HasPrefix(m.Text, prefix) {
			t.Fatalf("post %d text starts %q, want %q", i, m.Text[:min(40, len(m.Text))], prefix)
		}
		whole.WriteString(strings.TrimPrefix(m.Text, prefix))
		if hasAction := len(m.ActionIDs()) > 0; hasAction != (i == len(msgs)-1) {
			t.Errorf("post %d has buttons %v; only the last should", i, m.ActionIDs())
		}
	}
	if whole.String() != slackpost.Escape(long.String()) {
		t.Errorf("the parts do not add up to the whole text")
	}
}

func TestUploadLandsInThreadWithItsBytes(t *testing.T) {
	p, srv, _ := newPoster(t)
	ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	content := "\xff\xd8\xffJPEG bytes"
	err := p.UploadFile(ctx, ref, bridge.File{Name: "photo.jpg", ContentType: "image/jpeg", Size: int64(len(content)),
		Body: strings.NewReader(content), Comment: "<!here> look"})
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 {
		t.Fatalf("uploads = %+v", ups)
	}
	u := ups[0]
	if string(u.Content) != content || u.Channel != "C1" || u.ThreadTS != ref.TS || u.Filename != "photo.jpg" || u.Title != "photo.jpg" {
		t.Errorf("upload = %+v", u)
	}
	if u.InitialComment != "&lt;!here&gt; look" {
		t.Errorf("comment = %q", u.InitialComment)
	}
}

func TestUploadRetriesResendTheBytes(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("files.completeUploadExternal", 1, fakeslack.HTTPError(503))
	ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	if err := p.UploadFile(ctx, ref, bridge.File{Name: "a.txt", Body: strings.NewReader("abc")}); err != nil {
		t.Fatal(err)
	}
	if ups := srv.Uploads(); len(ups) != 1 || string(ups[0].Content) != "abc" {
		t.Errorf("uploads = %+v", ups)
	}
}

func TestServerErrorThenSuccessPostsOnce(t *testing.T) {
	p, srv, clock := newPoster(t)
	srv.FailNext("chat.postMessage", 2, fakeslack.HTTPError(500))
	ref := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	if _, err := p.PostInThread(ctx, ref, bridge.ThreadPost{Kind: bridge.KindInbound, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.ThreadReplies("C1", ref.TS)); n != 1 {
		t.Errorf("posted %d times, want once", n)
	}
	if n := len(srv.Calls("chat.postMessage")); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
	// Every attempt takes its turn in the channel's budget (one a second,
	// no burst, on a clock that stands still), with exponential backoff
	// between them.
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, time.Second, 2 * time.Second}
	if got := clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("reactions.add", 1, fakeslack.Disconnect())
	msg := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	if err := p.React(ctx, msg, "white_check_mark"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Reactions("C1", msg.TS); len(got) != 1 {
		t.Errorf("reactions = %v", got)
	}
}

func TestRateLimitedWaitsRetryAfterThenPostsOnce(t *testing.T) {
	p, srv, clock := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(7))
	if _, err := p.PostHeader(ctx, "C1", header); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages("C1")); n != 1 {
		t.Errorf("posted %d times", n)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) == 0 || sleeps[len(sleeps)-1] < 7*time.Second {
		t.Errorf("sleeps = %v, want a wait of at least Retry-After (7s)", sleeps)
	}
}

func TestLongRetryAfterIsLeftToThePipeline(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(600))
	_, err := p.PostHeader(ctx, "C1", header)
	if err == nil || errors.Is(err, bridge.ErrPermanent) {
		t.Fatalf("err = %v, want a transient error", err)
	}
	if n := len(srv.Calls("chat.postMessage")); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestSlackErrorIsPermanentAndNotRetried(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.SlackError("channel_not_found"))
	_, err := p.PostInThread(ctx, bridge.ThreadRef{Channel: "C1", TS: "1.1"}, bridge.ThreadPost{Text: "x"})
	if !errors.Is(err, bridge.ErrPermanent) || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("err = %v, want permanent channel_not_found", err)
	}
	if n := len(srv.Calls("chat.postMessage")); n != 1 {
		t.Errorf("calls = %d, want exactly 1", n)
	}
}

func TestExhaustedRetriesAreTransient(t *testing.T) {
	p, srv, _ := newPoster(t, slackpost.WithRetryPolicy(slackpost.RetryPolicy{Attempts: 3, Initial: time.Millisecond, Max: time.Second, MaxRetryAfter: time.Minute}))
	srv.FailNext("chat.update", 5, fakeslack.HTTPError(502))
	err := p.UpdateHeader(ctx, bridge.ThreadRef{Channel: "C1", TS: "1.1"}, header)
	if err == nil || errors.Is(err, bridge.ErrPermanent) {
		t.Fatalf("err = %v, want transient", err)
	}
	if n := len(srv.Calls("chat.update")); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

func TestErrorsNeverContainTheToken(t *testing.T) {
	srv := fakeslack.New(t)
	clock := &fakeClock{}
	// The API URL carries the token, the worst case for an error that quotes the URL.
	p := slackpost.NewPosterFromToken(srv.Token(), "http://127.0.0.1:1/"+srv.Token()+"/", slackpost.WithClock(clock.Now, clock.Sleep),
		slackpost.WithRetryPolicy(slackpost.RetryPolicy{Attempts: 2}))
	_, err := p.PostHeader(ctx, "C1", header)
	if err == nil || strings.Contains(err.Error(), srv.Token()) {
		t.Fatalf("err = %v", err)
	}
}

func TestRateLimiterSpacesPostsPerChannel(t *testing.T) {
	p, _, clock := newPoster(t, slackpost.WithChannelRate(rate.Every(time.Second), 1))
	post := func(ch string) {
		t.Helper()
		if _, err := p.PostInThread(ctx, bridge.ThreadRef{Channel: ch, TS: "1.1"}, bridge.ThreadPost{Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	// The clock stands still, so each post to C1 must wait one more second;
	// C2 has its own budget and does not wait.
	post("C1")
	post("C1")
	post("C1")
	post("C2")
	want := []time.Duration{0, time.Second, 2 * time.Second, 0}
	got := clock.Sleeps()
	if len(got) != len(want) {
		t.Fatalf("sleeps = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sleeps = %v, want %v", got, want)
			break
		}
	}
}

func TestReactionsAreIdempotent(t *testing.T) {
	p, srv, _ := newPoster(t)
	msg := bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}
	for range 2 {
		if err := p.React(ctx, msg, ":eyes:"); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Reactions("C1", msg.TS); len(got) != 1 || got[0] != "eyes" {
		t.Errorf("reactions = %v", got)
	}
	for range 2 {
		if err := p.RemoveReaction(ctx, msg, "eyes"); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Reactions("C1", msg.TS); len(got) != 0 {
		t.Errorf("reactions = %v", got)
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[bridge.E164]string{
		"+13125550123":  "+1 312-555-0123",
		"+447911123456": "+44 7911 123456",
		"22395":         "22395",
		"ACME":          "ACME",
	} {
		if got := slackpost.FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestSlackTransientErrorIsRetried(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.SlackError("internal_error"))
	if _, err := p.PostHeader(ctx, "C1", header); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages("C1")); n != 1 {
		t.Errorf("posted %d times", n)
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	p, srv, _ := newPoster(t)
	srv.FailNext("chat.postMessage", 10, fakeslack.HTTPError(500))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := p.PostHeader(cctx, "C1", header)
	if !errors.Is(err, context.Canceled) || errors.Is(err, bridge.ErrPermanent) {
		t.Fatalf("err = %v", err)
	}
}

// A header names each side by its role, so a conversation the team started
// (first message outbound) reads as right as one a phone started.
func TestHeaderNamesWhoIsWhomByRole(t *testing.T) {
	for _, tc := range []struct {
		our  bridge.E164
		want string
	}{{"+18445550001", "*Our number*\n+1 844-555-0001"}, {"ACME", "*Our sender ID*\nACME"}, {"12345", "*Our short code*\n12345"}} {
		p, srv, _ := newPoster(t)
		h := header
		h.OurNumber = tc.our
		if _, err := p.PostHeader(ctx, "C1", h); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages("C1")[0].BlockText()
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "*With*") || strings.Contains(got, "*From*") || strings.Contains(got, "*To*") {
			t.Errorf("header for %s = %q, want %q and *With*", tc.our, got, tc.want)
		}
	}
}

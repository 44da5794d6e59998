package bot_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackpost"
)

var inThread = bridge.ThreadRef{Channel: "C1", TS: "1700000000.000100"}

func TestLongRetryAfterTellsThePipelineWhenToRetry(t *testing.T) {
	p, srv, clock := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(600))
	_, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "x"})
	if err == nil || errors.Is(err, bridge.ErrPermanent) {
		t.Fatalf("err = %v, want transient", err)
	}
	if at, ok := bridge.RetryTime(err); !ok || !at.Equal(clock.Now().Add(600*time.Second)) {
		t.Fatalf("retry time = %v, %v; want Retry-After from now (%v)", at, ok, clock.Now().Add(600*time.Second))
	}
}

func TestExhausted429RetriesTellThePipelineWhenToRetry(t *testing.T) {
	p, srv, clock := newPoster(t, slackpost.WithRetryPolicy(slackpost.RetryPolicy{Attempts: 2, Initial: time.Millisecond, Max: time.Millisecond, MaxRetryAfter: time.Minute}))
	srv.FailNext("chat.postMessage", 2, fakeslack.RateLimited(5))
	_, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "x"})
	if at, ok := bridge.RetryTime(err); !ok || !at.Equal(clock.Now().Add(5*time.Second)) {
		t.Fatalf("err = %v, retry time = %v, %v; want Retry-After from now", err, at, ok)
	}
}

func TestRateLimitedChannelHoldsOtherPostsToItUntilRetryAfter(t *testing.T) {
	p, srv, clock := newPoster(t)
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(600))
	if _, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "first"}); err == nil {
		t.Fatal("429 not reported")
	}

	// Another post to the same channel does not ask Slack at all, and says
	// when the channel opens again.
	_, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "second"})
	if at, ok := bridge.RetryTime(err); !ok || !at.Equal(clock.Now().Add(600*time.Second)) {
		t.Fatalf("second post: err = %v, retry time %v, %v", err, at, ok)
	}
	if n := len(srv.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("chat.postMessage called %d times, want 1: the channel is paused", n)
	}
	// Other channels are not held.
	if _, err := p.PostInThread(ctx, bridge.ThreadRef{Channel: "C2", TS: "1.1"}, bridge.ThreadPost{Text: "elsewhere"}); err != nil {
		t.Fatalf("post to another channel: %v", err)
	}
}

func TestShortRetryAfterMakesTheNextPostToTheChannelWait(t *testing.T) {
	p, srv, clock := newPoster(t, slackpost.WithRetryPolicy(slackpost.RetryPolicy{Attempts: 1, MaxRetryAfter: time.Minute}))
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(5))
	if _, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "first"}); err == nil {
		t.Fatal("429 not reported")
	}
	if _, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "second"}); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); !slices.Contains(got, 5*time.Second) {
		t.Fatalf("sleeps = %v: the next post did not wait out Retry-After (5s)", got)
	}
}

func TestInCallRetryAfter429WaitsForTheChannelsBudget(t *testing.T) {
	p, srv, clock := newPoster(t, slackpost.WithChannelRate(rate.Every(10*time.Second), 1))
	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(2))
	if _, err := p.PostInThread(ctx, inThread, bridge.ThreadPost{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	// The first attempt spent the channel's only token; the retry waits for
	// Retry-After and then for the next token, 10 s after the first.
	got := clock.Sleeps()
	if len(got) == 0 || got[len(got)-1] != 10*time.Second {
		t.Fatalf("sleeps = %v, want the retry to wait 10s for the channel's next token", got)
	}
}

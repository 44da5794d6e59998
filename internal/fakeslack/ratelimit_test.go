package fakeslack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
)

// A channel takes one post a second with no burst: a second post at once
// is answered 429 with Retry-After (slack-go's RateLimitedError), recorded,
// and changes nothing; another channel has its own budget; after the
// interval the channel takes a post again.
func TestPostsOverTheChannelRateAre429WithRetryAfter(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	post := func(ch string) error {
		_, _, err := c.PostMessageContext(ctx, ch, slack.MsgOptionText("x", false))
		return err
	}
	if err := post("C1"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := post("C1")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("second post at once: err = %v, want RateLimitedError with Retry-After 1s", err)
	}
	if got := srv.RateLimited(); len(got) != 1 || got[0].Method != "chat.postMessage" || got[0].Failure.RetryAfter != "1" {
		t.Fatalf("RateLimited = %+v, want the one refused post", got)
	}
	if n := len(srv.Messages("C1")); n != 1 {
		t.Fatalf("messages in C1 = %d, want 1: a refused post is not kept", n)
	}
	if err := post("C2"); err != nil {
		t.Fatalf("another channel: %v", err)
	}
	time.Sleep(time.Second - time.Since(start) - fakeslack.JitterSlack/2) // the limit is on wall time
	if err := post("C1"); err != nil {
		t.Fatalf("a post one interval later: %v", err)
	}
	if n := len(srv.RateLimited()); n != 1 {
		t.Errorf("RateLimited = %d, want 1", n)
	}
}

// chat.update is limited by its own tier, not by the channel's post rate:
// posting does not use up updates, and updates past Tier 3's burst are 429.
func TestUpdatesHaveTheirOwnTier(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	_, ts, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	if err != nil {
		t.Fatal(err)
	}
	for i := range fakeslack.TierBurst {
		if _, _, _, err := c.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("y", false)); err != nil {
			t.Fatalf("update %d within the burst: %v", i+1, err)
		}
	}
	_, _, _, err = c.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("z", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("update past the burst: err = %v, want RateLimitedError", err)
	}
	if got := srv.RateLimited(); len(got) != 1 || got[0].Method != "chat.update" {
		t.Errorf("RateLimited = %+v", got)
	}
	if err := c.AddReactionContext(ctx, "eyes", slack.NewRefToMessage("C1", ts)); err != nil {
		t.Errorf("reactions.add has its own tier: %v", err)
	}
}

// WithoutRateLimits is for tests that do not pace in wall time.
func TestWithoutRateLimits(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithoutRateLimits())
	for i := range 5 {
		if _, _, err := srv.Client().PostMessageContext(context.Background(), "C1", slack.MsgOptionText("x", false)); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
}

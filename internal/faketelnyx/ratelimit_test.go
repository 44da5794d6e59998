package faketelnyx_test

import (
	"context"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/telnyx"
)

// noRetryClient makes one attempt per call, so a 429 comes back to the
// test instead of being waited out and retried.
func noRetryClient(srv *faketelnyx.Server) *telnyx.Client {
	return telnyx.NewClient("KEY", telnyx.WithBaseURL(srv.BaseURL),
		telnyx.WithRetryPolicy(telnyx.RetryPolicy{MaxAttempts: 1}))
}

func TestSendsOverTheSendersRateAreAnswered429WithTheReset(t *testing.T) {
	srv := faketelnyx.New(t) // violations fail the test: the 429 is spec-valid
	c := noRetryClient(srv)
	ctx := context.Background()
	send := func(from string) error {
		_, err := c.SendMessage(ctx, telnyx.SendRequest{From: from, To: "+13125550123", Text: "hi"})
		return err
	}
	// A long code: 1/s, a burst of 1 plus one message of slack.
	for i := range 2 {
		if err := send("+13125550100"); err != nil {
			t.Fatalf("send %d within the burst: %v", i+1, err)
		}
	}
	before := time.Now()
	err := send("+13125550100")
	reset, limited := telnyx.IsRateLimited(err)
	if !limited {
		t.Fatalf("third send at once from a long code: %v, want a 429", err)
	}
	if d := reset.Sub(before); d < 500*time.Millisecond || d > 2*time.Second {
		t.Fatalf("reset in %v, want about 1s", d)
	}
	if !telnyx.NotSent(err) {
		t.Fatal("a 429 must read as not sent")
	}
	// Another sender has its own budget; toll-free takes 20 at once.
	for i := range 20 {
		if err := send("+18445550001"); err != nil {
			t.Fatalf("toll-free send %d: %v", i+1, err)
		}
	}
	if got := srv.RateLimited(); len(got) != 1 || got[0].BodyMap()["from"] != "+13125550100" {
		t.Fatalf("recorded 429s: %d, want the one long-code send", len(got))
	}
	if n := len(srv.RequestsTo("POST /messages")); n != 23 {
		t.Fatalf("%d requests recorded, want 23 (429s too)", n)
	}
}

func TestSenderRateCanBeSetOrTurnedOff(t *testing.T) {
	srv := faketelnyx.New(t, faketelnyx.WithSenderRate("MyShop", faketelnyx.SenderRate{PerSecond: 0.5, Burst: 5}))
	c := noRetryClient(srv)
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.SendMessage(ctx, telnyx.SendRequest{From: "MyShop", To: "+447700900123", Text: "hi"}); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	if _, err := c.SendMessage(ctx, telnyx.SendRequest{From: "MyShop", To: "+447700900123", Text: "hi"}); err == nil {
		t.Fatal("sixth send at once within a burst of 5 was accepted")
	}

	off := faketelnyx.New(t, faketelnyx.WithoutSenderLimits())
	c = noRetryClient(off)
	for i := range 50 {
		if _, err := c.SendMessage(ctx, telnyx.SendRequest{From: "+13125550100", To: "+13125550123", Text: "hi"}); err != nil {
			t.Fatalf("unlimited send %d: %v", i+1, err)
		}
	}
}

// Package telnyxtest is what the Telnyx client packages' contract tests
// (telnyx, telnyxacct) share: a client pointed at the spec-validating fake
// with instant sleeps, a context bounded to the test, and reading what the
// fake was sent. It is for tests only.
//
// It imports the Telnyx side and its fake, nothing of the service
// (internal/layout checks it).
package telnyxtest

import (
	"context"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// Key is the API key the clients send.
const Key = "KEY0123456789SECRET"

// Setup starts the spec-validating fake (a violation fails the test) and a
// client pointed at it with instant sleeps, with the account's lookups and
// settings (telnyxacct) besides the client's own methods.
func Setup(t *testing.T, opts ...telnyx.Option) (*faketelnyx.Server, *telnyxacct.Client) {
	t.Helper()
	srv := faketelnyx.New(t)
	base := []telnyx.Option{
		telnyx.WithBaseURL(srv.BaseURL),
		telnyx.WithClock(nil, func(ctx context.Context, d time.Duration) error { return ctx.Err() }),
	}
	return srv, telnyxacct.New(telnyx.NewClient(Key, append(base, opts...)...))
}

// Ctx is a context that ends with the test, or after 10 s.
func Ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// Ptr points at v.
func Ptr[T any](v T) *T { return &v }

// LastBody is the JSON body of the last request to route; the test fails
// if there was none.
func LastBody(t *testing.T, srv *faketelnyx.Server, route string) map[string]any {
	t.Helper()
	rs := srv.RequestsTo(route)
	if len(rs) == 0 {
		t.Fatalf("no request to %s; got %v", route, srv.Requests())
	}
	return rs[len(rs)-1].BodyMap()
}

package netguard

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
)

func TestRestrictLetsOnlyLoopbackThrough(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	seen := map[string]bool{}
	lift := Restrict(nil, func(addr string, ok bool) { mu.Lock(); seen[addr] = ok; mu.Unlock() })
	defer lift()
	ctx := context.Background()
	c, err := DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("loopback refused: %v", err)
	}
	c.Close()
	// A public address: refused in Control, before any packet is sent, by
	// the plain dialer and by a media policy that would allow it.
	for name, dial := range map[string]func(context.Context, string, string) (net.Conn, error){
		"DialContext": DialContext, "Policy.DialContext": New(nil).DialContext,
	} {
		_, err := dial(ctx, "tcp", "203.0.113.7:443")
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%s to 203.0.113.7: %v, want refused", name, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if ok, found := seen[ln.Addr().String()]; !found || !ok {
		t.Errorf("loopback dial not seen as let through: %v", seen)
	}
	if ok, found := seen["203.0.113.7:443"]; !found || ok {
		t.Errorf("public dial not seen as refused: %v", seen)
	}
}

func TestRestrictAllowsTheNamedHosts(t *testing.T) {
	defer Restrict([]string{"slack.com"}, nil)()
	r := restricted.Load()
	if err := r.wrap("slack.com:443", nil)("tcp", "203.0.113.7:443", nil); err != nil {
		t.Errorf("allowed host refused: %v", err)
	}
	if err := r.wrap("telnyx.com:443", nil)("tcp", "203.0.113.8:443", nil); !errors.Is(err, ErrRefused) {
		t.Errorf("other host: %v, want refused", err)
	}
}

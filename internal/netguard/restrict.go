package netguard

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// A process that must stay on its machine (the sandbox: it must never
// reach the real Telnyx) restricts every dial made through this package:
// Policy.DialContext, DialContext and Transport then connect only to
// loopback addresses, or to the hosts named when restricting (the
// half-real sandbox's real Slack). The check runs in the dialer's Control
// func, on the address actually connected to, like the media check.

type restriction struct {
	allow *Policy
	seen  func(addr string, ok bool)
}

var restricted atomic.Pointer[restriction]

// Restrict confines this process's dials through netguard to loopback and
// the hosts in allow ("host" or "host:port"). seen, when not nil, is told
// every address connected to, and whether it was let through. The
// returned func lifts the restriction (tests).
func Restrict(allow []string, seen func(addr string, ok bool)) (lift func()) {
	restricted.Store(&restriction{allow: New(allow), seen: seen})
	return func() { restricted.Store(nil) }
}

// wrap returns the Control func for a dial of hostport: loopback only
// (unless the host is allowed), then inner.
func (r *restriction) wrap(hostport string, inner func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	allowed := r.allow.Allowed(hostport)
	return func(network, address string, c syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		ok := err == nil && (allowed || ap.Addr().Unmap().IsLoopback())
		if r.seen != nil {
			r.seen(address, ok)
		}
		if !ok {
			return &RefusedError{Addr: strings.TrimSuffix(address, ":"+portOf(address)), Why: "not on this machine (this process dials loopback only)"}
		}
		if inner != nil {
			return inner(network, address, c)
		}
		return nil
	}
}

func portOf(address string) string {
	_, port, _ := net.SplitHostPort(address)
	return port
}

// DialContext dials like net.Dialer, within the restriction if there is one.
func DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if r := restricted.Load(); r != nil {
		d.Control = r.wrap(addr, nil)
	}
	return d.DialContext(ctx, network, addr)
}

// Transport is an HTTP transport that dials with DialContext and uses no
// proxy (a proxy would be the only address checked). The sandbox makes it
// http.DefaultTransport, which slack-go, the Telnyx API client and the
// response_url poster use.
func Transport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

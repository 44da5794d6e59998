// Package netguard keeps fetches of URLs that come from outside (inbound MMS
// media links) from reaching inside: loopback, private, link-local, cloud
// metadata and other addresses that are not the public internet. The check
// runs on the address actually connected to, in the dialer's Control func,
// so a DNS answer that changes between a check and the connect (DNS
// rebinding) cannot slip past it, and it runs again for every redirect.
//
// Restrict (restrict.go) confines a whole process to loopback the same way:
// the sandbox uses it so it can never reach the real Telnyx.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is wrapped by every refusal, so callers can treat it as
// permanent.
var ErrRefused = errors.New("address refused")

// RefusedError says which address was refused and why, in plain words.
type RefusedError struct {
	Addr string // the address connected to (or the URL's scheme)
	Why  string // e.g. "a private network address"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("it points at %s, %s, which smsbridge does not fetch from", e.Addr, e.Why)
}

func (e *RefusedError) Unwrap() error { return ErrRefused }

// Policy decides which hosts may be fetched.
type Policy struct {
	allow map[string]bool // "host" or "host:port", lower case
}

// New returns a policy that refuses every non-public address except those
// of the hosts in allow ("host" or "host:port"): tests on 127.0.0.1 and
// private deployments.
func New(allow []string) *Policy {
	p := &Policy{allow: map[string]bool{}}
	for _, h := range allow {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			p.allow[h] = true
		}
	}
	return p
}

// ParseAllowHosts reads SMSBRIDGE_MEDIA_ALLOW_HOSTS: comma-separated
// "host" or "host:port".
func ParseAllowHosts(s string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if strings.Contains(h, "/") || strings.Contains(h, "@") {
			return nil, fmt.Errorf("%q is not a host or host:port", h)
		}
		if host, port, err := net.SplitHostPort(h); err == nil {
			if host == "" || port == "" {
				return nil, fmt.Errorf("%q is not a host or host:port", h)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// Allowed reports whether hostport ("host:port" as dialled) is on the
// allow list, by host or by host and port.
func (p *Policy) Allowed(hostport string) bool {
	hostport = strings.ToLower(hostport)
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return p.allow[hostport] || p.allow[host] || p.allow["["+host+"]"]
}

// blocked lists the ranges that are not the public internet, beyond what
// netip.Addr's predicates cover.
var blocked = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a \"this network\" address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address (cloud metadata lives here on some clouds)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("64:ff9b::/96"), "a NAT64 address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a NAT64 address"},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 address"},
}

// Check says why ip may not be connected to, or "" when it may.
func Check(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "not an address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip == netip.MustParseAddr("169.254.169.254") || ip == netip.MustParseAddr("fd00:ec2::254"):
		return "the cloud metadata address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsPrivate():
		return "a private network address"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	for _, b := range blocked {
		if b.prefix.Contains(ip) {
			return b.why
		}
	}
	return ""
}

// control is a net.Dialer Control func: it runs after the name is resolved,
// just before the socket connects, with the address it connects to.
func control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Addr: address, Why: "not an IP address"}
	}
	if why := Check(ap.Addr()); why != "" {
		return &RefusedError{Addr: ap.Addr().Unmap().String(), Why: why}
	}
	return nil
}

// DialContext dials like net.Dialer, refusing non-public addresses unless
// the host dialled is allowed.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !p.Allowed(addr) {
		d.Control = control
	}
	if r := restricted.Load(); r != nil { // restrict.go
		d.Control = r.wrap(addr, d.Control)
	}
	return d.DialContext(ctx, network, addr)
}

// CheckRedirect allows at most 5 redirects, each to http or https; the new
// host is checked when it is dialled.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("more than 5 redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &RefusedError{Addr: "a " + req.URL.Scheme + ": link", Why: "not http or https"}
	}
	return nil
}

// Client returns an HTTP client that fetches only what p allows. It uses
// no proxy: through a proxy the address checked would be the proxy's.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           p.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          10,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
		},
		CheckRedirect: CheckRedirect,
	}
}

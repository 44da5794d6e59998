package telnyx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/smsbridge/smsbridge/internal/netguard"
)

// WithMediaAllowHosts names hosts ("host" or "host:port") FetchMedia may
// fetch from although they resolve to loopback or private addresses
// (SMSBRIDGE_MEDIA_ALLOW_HOSTS: tests, private deployments).
func WithMediaAllowHosts(hosts []string) Option {
	return func(c *Client) { c.mediaHC = netguard.New(hosts).Client(60 * time.Second) }
}

// mediaError is a media fetch that failed, said in plain words for the
// thread; it wraps the cause for errors.Is.
type mediaError struct {
	reason string
	err    error
}

func (e *mediaError) Error() string { return e.reason }
func (e *mediaError) Unwrap() error { return e.err }

// FetchMedia downloads inbound MMS media from one of Telnyx's temporary,
// public media URLs and returns its body and content type. The URL comes
// from a webhook, so it is fetched only over http(s) and only from public
// addresses (checked on the address connected to, redirects included;
// see internal/netguard), unless its host is allowed by
// WithMediaAllowHosts. It fails with ErrTooLarge (wrapped) when the body
// exceeds limit bytes, and with ErrInvalidRequest (wrapped) for a refused
// URL; neither is retried, and the error says why in plain words. The API
// key is never sent: media hosts are foreign hosts. Other GET failures are
// retried per the client's RetryPolicy. It matches bridge.MediaFetcher.
func (c *Client) FetchMedia(ctx context.Context, rawURL string, limit int64) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", &mediaError{"it is not an http or https link", invalidf("FetchMedia: not an http(s) URL")}
	}
	if limit <= 0 {
		return nil, "", invalidf("FetchMedia: limit must be positive")
	}
	resp, body, err := c.execute(ctx, request{
		method: http.MethodGet,
		url:    u.String(),
		path:   "media " + u.Host + u.EscapedPath(),
		auth:   false,
		limit:  limit,
		hc:     c.mediaHC,
	})
	var refused *netguard.RefusedError
	switch {
	case errors.As(err, &refused):
		return nil, "", &mediaError{refused.Error(), err}
	case errors.Is(err, ErrTooLarge):
		return nil, "", &mediaError{fmt.Sprintf("it is larger than the %s limit", byteSize(limit)), err}
	case err != nil:
		return nil, "", err
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	return body, ct, nil
}

// byteSize writes n as people read it: "20 MB", "512 KB", "900 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

package telnyx

import (
	"context"
	"net/http"
	"net/url"
)

// FetchMedia downloads inbound MMS media from one of Telnyx's temporary,
// public media URLs and returns its body and content type. It fails with
// ErrTooLarge (wrapped) when the body exceeds limit bytes. The API key is
// never sent: media hosts are foreign hosts. GETs are retried per the
// client's RetryPolicy. It matches bridge.MediaFetcher.
func (c *Client) FetchMedia(ctx context.Context, rawURL string, limit int64) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", invalidf("FetchMedia: not an http(s) URL")
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
	})
	if err != nil {
		return nil, "", err
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	return body, ct, nil
}

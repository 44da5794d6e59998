package telnyx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
)

// mediaAllow allows the host:port of a test server's URL.
func mediaAllow(t *testing.T, rawURL string) telnyx.Option {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return telnyx.WithMediaAllowHosts([]string{u.Host})
}

// countingServer serves a small image and counts its requests.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func image(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Write([]byte("\x89PNG fake"))
}

func TestFetchMediaRefusesAddressesInsideAndSaysWhy(t *testing.T) {
	inside, hits := countingServer(t, image)
	allowed, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/secret", http.StatusFound)
	})
	toFile, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	allowedHost := strings.TrimPrefix(allowed.URL, "http://")
	fileHost := strings.TrimPrefix(toFile.URL, "http://")
	c := telnyx.NewClient(telnyxtest.Key, telnyx.WithMediaAllowHosts([]string{allowedHost, fileHost}),
		telnyx.WithClock(nil, func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	cases := []struct{ name, url, why string }{
		{"loopback", inside.URL + "/x.png", "a loopback address"},
		{"localhost by name", strings.Replace(inside.URL, "127.0.0.1", "localhost", 1) + "/x.png", "a loopback address"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "the cloud metadata address"},
		{"private network", "http://10.0.0.7/x.png", "a private network address"},
		{"private network, IPv6", "http://[fd00::7]/x.png", "a private network address"},
		{"link-local", "http://169.254.10.1/x.png", "a link-local address"},
		{"unspecified", "http://0.0.0.0:80/x.png", "an unspecified address"},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/x.png", "a loopback address"},
		{"multicast", "http://224.0.0.1/x.png", "a multicast address"},
		{"redirect from an allowed host to one inside", allowed.URL + "/x.png", "a loopback address"},
		{"redirect to a file URL", toFile.URL + "/x.png", "not http or https"},
		{"not http", "ftp://media.example.com/x.png", "not an http or https link"},
		{"file URL", "file:///etc/passwd", "not an http or https link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.FetchMedia(telnyxtest.Ctx(t), tc.url, 1<<20)
			if err == nil || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("err = %v, want it to say %q", err, tc.why)
			}
			if !errors.Is(err, telnyx.ErrInvalidRequest) || !telnyx.NotSent(err) {
				t.Errorf("a refused fetch must be permanent (ErrInvalidRequest): %v", err)
			}
			if strings.Contains(err.Error(), "telnyx:") {
				t.Errorf("not in plain words: %v", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server inside was reached %d times", n)
	}
}

func TestFetchMediaFetchesAllowedHosts(t *testing.T) {
	srv, hits := countingServer(t, image)
	c := telnyx.NewClient(telnyxtest.Key, mediaAllow(t, srv.URL))
	body, ct, err := c.FetchMedia(telnyxtest.Ctx(t), srv.URL+"/x.png", 1<<20)
	if err != nil || string(body) != "\x89PNG fake" || ct != "image/png" || hits.Load() != 1 {
		t.Fatalf("%q %q %v (%d requests)", body, ct, err, hits.Load())
	}
	byHost := telnyx.NewClient(telnyxtest.Key, telnyx.WithMediaAllowHosts([]string{"127.0.0.1"}))
	if _, _, err := byHost.FetchMedia(telnyxtest.Ctx(t), srv.URL+"/x.png", 1<<20); err != nil {
		t.Fatalf("a host without port allows every port: %v", err)
	}
}

func TestFetchMediaOverTheLimitIsRefusedOnceNotDownloadedAgain(t *testing.T) {
	big := strings.Repeat("x", 4096)
	announced, announcedHits := countingServer(t, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(big)) })
	chunked, chunkedHits := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < 4; i++ {
			w.Write([]byte(big[:1024]))
			w.(http.Flusher).Flush() // no Content-Length: found out while reading
		}
	})
	for name, tc := range map[string]struct {
		srv  *httptest.Server
		hits *atomic.Int32
	}{"announced": {announced, announcedHits}, "chunked": {chunked, chunkedHits}} {
		t.Run(name, func(t *testing.T) {
			c := telnyx.NewClient(telnyxtest.Key, mediaAllow(t, tc.srv.URL), telnyx.WithRetry(4, time.Millisecond))
			_, _, err := c.FetchMedia(telnyxtest.Ctx(t), tc.srv.URL+"/big.jpg", 1024)
			if !errors.Is(err, telnyx.ErrTooLarge) || !strings.Contains(err.Error(), "larger than the 1 KB limit") {
				t.Fatalf("err = %v", err)
			}
			if n := tc.hits.Load(); n != 1 {
				t.Fatalf("downloaded %d times, want once", n)
			}
		})
	}
}

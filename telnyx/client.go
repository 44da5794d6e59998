package telnyx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/internal/netguard"
)

// DefaultBaseURL is the Messaging API v2 base; paths such as "/messages" are
// appended to it. TELNYX_API_URL overrides it (via WithBaseURL).
const DefaultBaseURL = "https://api.telnyx.com/v2"

// DefaultVersion is used in the default User-Agent "smsbridge/<version>".
const DefaultVersion = "dev"

// maxAPIBody bounds how much of an API answer is read.
const maxAPIBody = 10 << 20

// Client talks to the Telnyx Messaging API v2. It holds no global state; make
// one with NewClient and share it: it is safe for concurrent use.
//
// The API key is sent only as the Authorization header of requests to the
// base URL, never to media hosts, and never appears in errors, String or
// slog output.
type Client struct {
	// key is behind a pointer so that even a copy of the Client printed with
	// fmt or slog shows an address, never the key.
	key       *apiKey
	baseURL   string
	hc        *http.Client
	mediaHC   *http.Client // FetchMedia's: refuses non-public addresses
	userAgent string
	retry     RetryPolicy
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
}

type apiKey struct{ v string }

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the API base, e.g. "https://api.telnyx.com/v2" or a test
// server's URL+"/v2". A trailing slash is ignored.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the HTTP client (timeouts, transport, proxies).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithUserAgent sets the whole User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithVersion sets the User-Agent to "smsbridge/<version>".
func WithVersion(version string) Option {
	return func(c *Client) { c.userAgent = "smsbridge/" + version }
}

// WithRetry sets the number of attempts per call (1 means no retry) and the
// base of the exponential backoff between them (base, 2·base, 4·base, …,
// capped at 30 s). See RetryPolicy for what is retried.
func WithRetry(maxAttempts int, baseBackoff time.Duration) Option {
	return func(c *Client) {
		if maxAttempts < 1 {
			maxAttempts = 1
		}
		c.retry.MaxAttempts = maxAttempts
		c.retry.BaseBackoff = baseBackoff
	}
}

// WithRetryPolicy sets the whole retry policy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) {
		if p.MaxAttempts < 1 {
			p.MaxAttempts = 1
		}
		c.retry = p
	}
}

// WithClock replaces the clock and the sleep used between attempts and
// polls (tests). A nil argument keeps the default. sleep must return
// ctx.Err() when ctx ends first.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
		if sleep != nil {
			c.sleep = sleep
		}
	}
}

// NewClient returns a client that authenticates with apiKey (Bearer).
func NewClient(key string, opts ...Option) *Client {
	c := &Client{
		key:       &apiKey{v: key},
		baseURL:   DefaultBaseURL,
		hc:        &http.Client{Timeout: 60 * time.Second},
		mediaHC:   netguard.New(nil).Client(60 * time.Second),
		userAgent: "smsbridge/" + DefaultVersion,
		retry:     DefaultRetryPolicy(),
		now:       time.Now,
		sleep:     sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// String describes the client without its key.
func (c Client) String() string { return fmt.Sprintf("telnyx.Client{base: %s}", c.baseURL) }

// GoString describes the client without its key (for %#v).
func (c Client) GoString() string { return c.String() }

// Format keeps the key out of every fmt verb (%v, %+v, %#v, %s).
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the key out of slog output.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.baseURL))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// redact removes the API key from s, in case some lower layer echoed it.
func (c *Client) redact(s string) string {
	if c.key == nil || c.key.v == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key.v, "[REDACTED]")
}

// call is one Messaging API request.
type call struct {
	method string
	path   string // appended to the base URL, starting with "/"
	query  url.Values
	body   any // marshalled to JSON when not nil
	// notFoundHint explains a 404 to the caller.
	notFoundHint string
}

// do runs a Messaging API call and decodes a 2xx answer into out (if not nil).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var body []byte
	if cl.body != nil {
		var err error
		body, err = json.Marshal(cl.body)
		if err != nil {
			return invalidf("%s %s: encoding body: %v", cl.method, cl.path, err)
		}
	}
	u := c.baseURL + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	r := request{
		method: cl.method,
		url:    u,
		path:   cl.path,
		body:   body,
		auth:   true,
		limit:  maxAPIBody,
	}
	resp, data, err := c.execute(ctx, r)
	if err != nil {
		if ae, ok := asAPIError(err); ok && ae.StatusCode == http.StatusNotFound && cl.notFoundHint != "" {
			ae.Hint = cl.notFoundHint
		}
		return err
	}
	_ = resp
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		// The request succeeded at Telnyx: whatever it did is done. The
		// caller cannot know what, so this is ambiguous, not "not sent".
		return &transportError{method: cl.method, path: cl.path, written: true,
			err: fmt.Errorf("decoding %d answer: %w", resp.StatusCode, err)}
	}
	return nil
}

// Do runs one Messaging API call for a package that adds endpoints to the
// client (telnyxacct): method, a path appended to the base URL (starting
// with "/"), an optional query and JSON body; a 2xx answer is decoded into
// out (if not nil). It retries as RetryPolicy says, and its errors are the
// ones NotSent, IsAmbiguous and the Is* helpers read.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return c.do(ctx, call{method: method, path: path, query: query, body: body}, out)
}

// Sleep waits d, or until ctx ends (returning ctx.Err()), on the client's
// clock (WithClock), so a caller that polls does not make tests wait.
func (c *Client) Sleep(ctx context.Context, d time.Duration) error { return c.sleep(ctx, d) }

// envelope is the `{"data": …}` wrapper of most answers.
type envelope[T any] struct {
	Data T `json:"data"`
}

func newBodyReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

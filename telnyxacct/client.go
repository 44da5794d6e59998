package telnyxacct

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/smsbridge/smsbridge/telnyx"
)

// Client is the Messaging API client with the account's lookups and
// settings besides: every telnyx.Client method, and the ones of this
// package. Make one with New around the client you share.
type Client struct {
	*telnyx.Client
}

// New adds the account's lookups and settings to c; they go through c's
// calls, retries and errors (telnyx.Client.Do).
func New(c *telnyx.Client) *Client { return &Client{Client: c} }

// envelope is the `{"data": …}` wrapper of most answers.
type envelope[T any] struct {
	Data T `json:"data"`
}

// listEnvelope is a page of a list answer.
type listEnvelope[T any] struct {
	Data []T      `json:"data"`
	Meta PageMeta `json:"meta"`
}

// invalidf refuses a request before it is sent: telnyx.ErrInvalidRequest,
// so telnyx.NotSent and telnyx.IsInvalidParameters hold.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{telnyx.ErrInvalidRequest}, args...)...)
}

// PageMeta is a list answer's `meta`.
type PageMeta struct {
	PageNumber   int `json:"page_number"`
	PageSize     int `json:"page_size"`
	TotalPages   int `json:"total_pages"`
	TotalResults int `json:"total_results"`
}

// MaxPageSize is the largest page[size] Telnyx accepts.
const MaxPageSize = 250

// DefaultPageSize is the page size iterators use when none is given.
const DefaultPageSize = 100

func checkPage(page, size int) error {
	if page < 1 {
		return invalidf("page number must be ≥ 1, got %d", page)
	}
	if size < 1 || size > MaxPageSize {
		return invalidf("page size must be 1..%d, got %d", MaxPageSize, size)
	}
	return nil
}

// listPage GETs one page of a list endpoint.
func listPage[T any](ctx context.Context, c *Client, path string, q url.Values, page, size int) ([]T, PageMeta, error) {
	if err := checkPage(page, size); err != nil {
		return nil, PageMeta{}, err
	}
	qq := url.Values{}
	for k, v := range q {
		qq[k] = v
	}
	qq.Set("page[number]", strconv.Itoa(page))
	qq.Set("page[size]", strconv.Itoa(size))
	var env listEnvelope[T]
	if err := c.Do(ctx, http.MethodGet, path, qq, nil, &env); err != nil {
		return nil, PageMeta{}, err
	}
	return env.Data, env.Meta, nil
}

// paginate yields every item of a list endpoint, one page at a time, and
// stops fetching as soon as the consumer stops reading.
func paginate[T any](ctx context.Context, c *Client, path string, q url.Values, size int) iter.Seq2[T, error] {
	if size == 0 {
		size = DefaultPageSize
	}
	return func(yield func(T, error) bool) {
		var zero T
		for page := 1; ; page++ {
			items, meta, err := listPage[T](ctx, c, path, q, page, size)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if len(items) == 0 || page >= meta.TotalPages {
				return
			}
		}
	}
}

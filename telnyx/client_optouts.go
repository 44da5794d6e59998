package telnyx

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

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

// OptOut is one opt-out block: To sent STOP (Keyword) to From.
type OptOut struct {
	From               string  `json:"from"`
	To                 string  `json:"to"`
	Keyword            string  `json:"keyword,omitempty"`
	MessagingProfileID string  `json:"messaging_profile_id,omitempty"`
	CreatedAt          APITime `json:"created_at"`
}

// OptOutFilter narrows GET /messaging_optouts; zero fields are not sent.
type OptOutFilter struct {
	MessagingProfileID string    // filter[messaging_profile_id]
	From               string    // filter[from]: our sending number, short code or sender ID
	CreatedAfter       time.Time // created_at[gte]
	CreatedBefore      time.Time // created_at[lte]
	// RedactionEnabled asks Telnyx to mask the recipients' numbers.
	RedactionEnabled bool
	// PageSize is the page size the iterator uses (default 100, max 250).
	PageSize int
}

func (f OptOutFilter) query() url.Values {
	q := url.Values{}
	if f.MessagingProfileID != "" {
		q.Set("filter[messaging_profile_id]", f.MessagingProfileID)
	}
	if f.From != "" {
		q.Set("filter[from]", f.From)
	}
	if !f.CreatedAfter.IsZero() {
		q.Set("created_at[gte]", f.CreatedAfter.UTC().Format(time.RFC3339))
	}
	if !f.CreatedBefore.IsZero() {
		q.Set("created_at[lte]", f.CreatedBefore.UTC().Format(time.RFC3339))
	}
	if f.RedactionEnabled {
		q.Set("redaction_enabled", "true")
	}
	return q
}

// ListOptOutsPage fetches one page (1-based) of opt-outs.
func (c *Client) ListOptOutsPage(ctx context.Context, f OptOutFilter, page, size int) ([]OptOut, PageMeta, error) {
	return listPage[OptOut](ctx, c, "/messaging_optouts", f.query(), page, size)
}

// ListOptOuts iterates over every opt-out matching f, fetching further pages
// only as they are read. An error ends the iteration after being yielded.
func (c *Client) ListOptOuts(ctx context.Context, f OptOutFilter) iter.Seq2[OptOut, error] {
	return paginate[OptOut](ctx, c, "/messaging_optouts", f.query(), f.PageSize)
}

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
	if err := c.do(ctx, call{method: http.MethodGet, path: path, query: qq}, &env); err != nil {
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

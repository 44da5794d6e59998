package telnyxacct

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/smsbridge/smsbridge/telnyx"
)

// OptOut is one opt-out block: To sent STOP (Keyword) to From.
type OptOut struct {
	From               string         `json:"from"`
	To                 string         `json:"to"`
	Keyword            string         `json:"keyword,omitempty"`
	MessagingProfileID string         `json:"messaging_profile_id,omitempty"`
	CreatedAt          telnyx.APITime `json:"created_at"`
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

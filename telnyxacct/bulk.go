package telnyxacct

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// BulkUpdateRequest moves numbers to a messaging profile in one order.
type BulkUpdateRequest struct {
	// MessagingProfileID is the target profile; "" unassigns the numbers.
	MessagingProfileID string
	Numbers            []string // +E.164
	// AssignOnly only assigns the profile without changing other settings.
	AssignOnly bool
}

// BulkUpdate is a bulk update order and where it stands.
type BulkUpdate struct {
	OrderID    string   `json:"order_id"`
	RecordType string   `json:"record_type,omitempty"`
	Success    []string `json:"success"`
	Pending    []string `json:"pending"`
	Failed     []string `json:"failed"`
}

// Done reports whether the order has finished: nothing pending and at least
// one number settled (an order Telnyx has not started yet lists nothing).
func (b BulkUpdate) Done() bool {
	return len(b.Pending) == 0 && len(b.Success)+len(b.Failed) > 0
}

// Note: the path is /messaging_numbers_bulk_updates, as in the official
// spec and every Telnyx SDK, not /messaging_numbers/bulk_updates.
const bulkUpdatesPath = "/messaging_numbers_bulk_updates"

// BulkUpdateProfiles starts a bulk profile update (POST
// /messaging_numbers_bulk_updates) and returns the order; follow it with
// GetBulkUpdate or WaitBulkUpdate. Never resent after a 5xx.
func (c *Client) BulkUpdateProfiles(ctx context.Context, r BulkUpdateRequest) (*BulkUpdate, error) {
	if len(r.Numbers) == 0 {
		return nil, invalidf("POST %s: numbers is required", bulkUpdatesPath)
	}
	b := map[string]any{"messaging_profile_id": r.MessagingProfileID, "numbers": r.Numbers}
	if r.AssignOnly {
		b["assign_only"] = true
	}
	var env envelope[BulkUpdate]
	if err := c.Do(ctx, http.MethodPost, bulkUpdatesPath, nil, b, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// GetBulkUpdate fetches a bulk update order (GET
// /messaging_numbers_bulk_updates/{order_id}).
func (c *Client) GetBulkUpdate(ctx context.Context, orderID string) (*BulkUpdate, error) {
	if orderID == "" {
		return nil, invalidf("GET %s/{order_id}: order id is required", bulkUpdatesPath)
	}
	var env envelope[BulkUpdate]
	if err := c.Do(ctx, http.MethodGet, bulkUpdatesPath+"/"+url.PathEscape(orderID), nil, nil, &env); err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// WaitBulkUpdate polls the order every interval until it is Done, calling
// progress (if not nil) with every state it reads, and returns the final
// state. The context bounds the wait; on its end the last error or
// ctx.Err() is returned.
func (c *Client) WaitBulkUpdate(ctx context.Context, orderID string, interval time.Duration, progress func(BulkUpdate)) (*BulkUpdate, error) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		b, err := c.GetBulkUpdate(ctx, orderID)
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(*b)
		}
		if b.Done() {
			return b, nil
		}
		if err := c.Sleep(ctx, interval); err != nil {
			return b, err
		}
	}
}

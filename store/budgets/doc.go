// Package budgets keeps the shared rate limits (invariant 12): token
// buckets as GCRA, one timestamp per key, taken under a row lock so every
// replica draws from the same bucket, with reservations for callers that
// come back and pauses for a sender Telnyx slowed down.
//
// It imports internal/conn only: never another part of the store, gin,
// slack-go, Telnyx's packages, bridge, webhooks or the Slack packages
// (internal/layout checks this).
package budgets

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
)

// Budgets is the budgets part of the store. package store embeds it in
// Store.
type Budgets struct{ *conn.Conn }

// New makes the budgets over c.
func New(c *conn.Conn) *Budgets { return &Budgets{Conn: c} }

// Package consent keeps the records the one opt-out policy reads: opt-outs
// (who is blocked from which of our numbers or profiles, from what source,
// and the opt-in that lifted it, kept as the consent history) and our
// numbers with their messaging profiles (Telnyx blocks a STOP for the
// whole profile).
//
// It imports the store's model and internal/conn only: never another part
// of the store, gin, slack-go, Telnyx's packages, bridge, webhooks or the
// Slack packages (internal/layout checks this).
package consent

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
)

// Records is the consent part of the store. package store embeds it in
// Store.
type Records struct {
	*conn.Conn
	// numbers is what RememberNumber wrote lately (numbers_seen.go).
	numbers seenNumbers
}

// New makes the consent records over c.
func New(c *conn.Conn) *Records { return &Records{Conn: c} }

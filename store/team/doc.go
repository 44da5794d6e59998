// Package team keeps what the team set for itself: contacts (names of
// numbers), saved replies, business hours, holidays and the auto-reply
// claims made under them.
//
// It imports the store's model and internal/conn only: never another part
// of the store, gin, slack-go, Telnyx's packages, bridge, webhooks or the
// Slack packages (internal/layout checks this).
package team

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
)

// Settings is the team part of the store. package store embeds it in
// Store.
type Settings struct{ *conn.Conn }

// New makes the team part over c.
func New(c *conn.Conn) *Settings { return &Settings{Conn: c} }

// Package outbox keeps messages and what goes out: inserting a message once
// per Telnyx id or outbox key, the compare-and-sets that move an outbox
// entry's status, the media files served to Telnyx for outbound MMS, the
// scheduled messages and their hand-offs, and the confirmations a button
// takes once.
//
// It imports the store's model and internal/conn only: never another part
// of the store, gin, slack-go, Telnyx's packages, bridge, webhooks or the
// Slack packages (internal/layout checks this).
package outbox

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
)

// Outbox is the messages part of the store. package store embeds it in
// Store.
type Outbox struct{ *conn.Conn }

// New makes the outbox over c.
func New(c *conn.Conn) *Outbox { return &Outbox{Conn: c} }

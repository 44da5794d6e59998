// Package conversations keeps the conversations: finding or creating one
// by its numbers, its threads and the routes of our numbers to channels,
// the App Home's sections and the history queries (each served by an
// index, TestInboxQueriesUseIndexes), the waiting spell (counted with the
// inbound text that starts it, ended with the answer that ends it, in one
// transaction), the nudge and header claims, and the reads a transcript
// export walks.
//
// It imports the store's model and internal/conn only: never another part
// of the store, gin, slack-go, Telnyx's packages, bridge, webhooks or the
// Slack packages (internal/layout checks this).
package conversations

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
)

// Conversations is the conversations part of the store. package store
// embeds it in Store.
type Conversations struct{ *conn.Conn }

// New makes the conversations part over c.
func New(c *conn.Conn) *Conversations { return &Conversations{Conn: c} }

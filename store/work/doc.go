// Package work is the store's queue of work: events (every webhook and
// Slack event that causes work, unique on its source and external id),
// the group commit that inserts them, lanes and their leases, the
// instances that own leases, the kept counts of events by status, the
// PostgreSQL wake-ups (LISTEN/NOTIFY), the gauges /metrics reads, and
// retention of old events and messages. Everything that changes an
// event's status and its count, or a lane and its events, does so in one
// transaction inside this package, so the counts and the wake-ups cannot
// drift from what they count.
//
// It imports the store's model and internal/conn only: never another part
// of the store (conversations, outbox, consent, team, budgets), gin,
// slack-go, Telnyx's packages, bridge, webhooks or the Slack packages
// (internal/layout checks this).
package work

import (
	"github.com/smsbridge/smsbridge/store/internal/conn"
	"sync"
)

// Queue is the work part of the store. package store embeds it in Store.
type Queue struct {
	*conn.Conn
	// ingest feeds the group-commit loop of InsertEvent (ingest.go).
	ingest     chan insertReq
	ingestDone chan struct{}
	ingestMu   sync.RWMutex
	closed     bool
}

// New makes the queue over c and starts its group commit; StopIngest ends it.
func New(c *conn.Conn) *Queue {
	s := &Queue{Conn: c}
	s.startIngest()
	return s
}

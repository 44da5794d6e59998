package store

import "gorm.io/gorm"

// inboxIndexes serve the App Home and history queries in inbox.go, each
// with an index range in the order the query wants, so none of them scans
// or sorts the conversations table (TestInboxQueriesUseIndexes pins this).
// Plain SQL: the same statements work on SQLite and PostgreSQL, and they do
// not depend on struct tags that migration 1 would pick up on a fresh
// database.
var inboxIndexes = []string{
	// Mine (assignee, claimed) and Unassigned (assignee '', open), newest first.
	`CREATE INDEX IF NOT EXISTS ix_conv_assignee_state_activity ON conversations (assignee_id, state, last_activity_at)`,
	// Waiting for an answer: per state, last message inbound, oldest first.
	`CREATE INDEX IF NOT EXISTS ix_conv_state_direction_activity ON conversations (state, last_direction, last_activity_at)`,
	// Recently resolved.
	`CREATE INDEX IF NOT EXISTS ix_conv_state_resolved ON conversations (state, resolved_at)`,
	// A number's 1:1 conversations, newest first (history, contact); the
	// unique index on (our_number, remote_key) cannot serve a lookup by
	// remote_key alone.
	`CREATE INDEX IF NOT EXISTS ix_conv_remote_activity ON conversations (remote_key, last_activity_at)`,
}

func init() {
	registerMigration(4, "inbox: contacts, App Home and history indexes", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&Contact{}); err != nil {
			return err
		}
		for _, q := range inboxIndexes {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

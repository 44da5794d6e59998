package migrations

import (
	"time"

	"gorm.io/gorm"
)

// contact0004 is the table as migration 4 shipped it (frozen).
type contact0004 struct {
	Number    string `gorm:"primaryKey;size:32"`
	Name      string `gorm:"size:200;not null"`
	SetBy     string `gorm:"size:32"` // Slack user id
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (contact0004) TableName() string { return "contacts" }

// inboxIndexes serve the App Home and history queries in inbox.go, each
// with an index range in the order the query wants, so none of them scans
// or sorts the conversations table (TestInboxQueriesUseIndexes pins this).
// Plain SQL: the same statements work on SQLite and PostgreSQL. The models
// declare the same indexes in their tags, for the schema comparison test.
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
		if err := tx.Migrator().CreateTable(&contact0004{}); err != nil {
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

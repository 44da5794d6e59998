package migrations

import (
	"time"

	"gorm.io/gorm"
)

// conversationWaiting0012 holds the columns migration 12 adds to
// conversations (frozen): a conversation waits for an answer from its first
// unanswered inbound text (WaitingSince) until the team answers, resolves
// it or it is closed.
type conversationWaiting0012 struct {
	WaitingSince    *time.Time `gorm:"index:ix_conv_waiting,priority:2;index:ix_conv_nudge,priority:2"`
	WaitingCount    int        `gorm:"not null;default:0"`
	WaitingSignaled bool       `gorm:"not null;default:false"`
	Nudged          bool       `gorm:"not null;default:false;index:ix_conv_nudge,priority:1"`
	HeaderAt        *time.Time
	HeaderDueAt     *time.Time `gorm:"index:ix_conv_header_due"`
}

func (conversationWaiting0012) TableName() string { return "conversations" }

func init() {
	registerMigration(12, "conversations: waiting since, unanswered count, signal, nudge, header refresh", func(tx *gorm.DB) error {
		for _, col := range []string{"WaitingSince", "WaitingCount", "WaitingSignaled", "Nudged", "HeaderAt", "HeaderDueAt"} {
			if err := tx.Migrator().AddColumn(&conversationWaiting0012{}, col); err != nil {
				return err
			}
		}
		for _, q := range []string{
			// The App Home's waiting section and its count, longest first.
			`CREATE INDEX IF NOT EXISTS ix_conv_waiting ON conversations (opted_out, waiting_since)`,
			// Due nudges: not nudged this spell, waiting since before a time.
			`CREATE INDEX IF NOT EXISTS ix_conv_nudge ON conversations (nudged, waiting_since)`,
			// Headers whose shown wait is out of date.
			`CREATE INDEX IF NOT EXISTS ix_conv_header_due ON conversations (header_due_at)`,
			// What waited before the upgrade waits now: since its last
			// activity, one text, already signalled and nudged (an upgrade
			// must not ping the channel for every old conversation), its
			// header due for a refresh (the sweep does a few at a time).
			`UPDATE conversations SET waiting_since = last_activity_at, waiting_count = 1,
			 waiting_signaled = true, nudged = true, header_due_at = last_activity_at
			 WHERE last_direction = 'inbound' AND state <> 'resolved'`,
		} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

package migrations

import (
	"time"

	"gorm.io/gorm"
)

// thread0005 is the table as migration 5 shipped it (frozen).
type thread0005 struct {
	Channel        string `gorm:"primaryKey;size:32"`
	TS             string `gorm:"primaryKey;size:32"`
	ConversationID uint64 `gorm:"not null;index"`
	CreatedAt      time.Time
}

func (thread0005) TableName() string { return "threads" }

func init() {
	registerMigration(5, "threads: every thread of a conversation", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&thread0005{}); err != nil {
			return err
		}
		// Backfill from what conversations knew: their current and
		// previous threads.
		for _, cols := range [][2]string{{"channel", "thread_ts"}, {"prev_channel", "prev_thread_ts"}} {
			err := tx.Exec(`INSERT INTO threads (channel, ts, conversation_id, created_at)
				SELECT ` + cols[0] + `, ` + cols[1] + `, id, created_at FROM conversations WHERE ` + cols[1] + ` <> ''
				ON CONFLICT DO NOTHING`).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

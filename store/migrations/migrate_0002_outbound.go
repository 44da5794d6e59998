package migrations

import (
	"time"

	"gorm.io/gorm"
)

// outboxMedia0002 is the table as migration 2 shipped it (frozen).
type outboxMedia0002 struct {
	Token       string `gorm:"primaryKey;size:64"`
	MessageID   uint64 `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:1"`
	Position    int    `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:2"`
	Name        string `gorm:"size:255"`
	ContentType string `gorm:"size:128"`
	Body        []byte
	ExpiresAt   time.Time `gorm:"not null;index"`
	CreatedAt   time.Time
}

func (outboxMedia0002) TableName() string { return "outbox_media" }

func init() {
	registerMigration(2, "outbound media tokens; conversations by previous thread", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&outboxMedia0002{}); err != nil {
			return err
		}
		// A reply in a conversation's previous thread is looked up by it.
		return tx.Exec("CREATE INDEX IF NOT EXISTS ix_conv_prev_thread ON conversations (prev_thread_ts)").Error
	})
}

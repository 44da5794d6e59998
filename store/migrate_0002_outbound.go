package store

import "gorm.io/gorm"

func init() {
	registerMigration(2, "outbound media tokens; conversations by previous thread", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&OutboxMedia{}); err != nil {
			return err
		}
		// A reply in a conversation's previous thread is looked up by it.
		return tx.Exec("CREATE INDEX IF NOT EXISTS ix_conv_prev_thread ON conversations (prev_thread_ts)").Error
	})
}

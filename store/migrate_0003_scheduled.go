package store

import "gorm.io/gorm"

func init() {
	registerMigration(3, "scheduled messages", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&ScheduledMessage{})
	})
}

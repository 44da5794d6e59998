package store

import "gorm.io/gorm"

func init() {
	registerMigration(2, "outbound media tokens", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&OutboxMedia{})
	})
}

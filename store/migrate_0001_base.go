package store

import "gorm.io/gorm"

func init() {
	registerMigration(1, "events, lanes, conversations, messages, routes", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&Event{}, &Lane{}, &Conversation{}, &Message{}, &Route{})
	})
}

package migrations

import "gorm.io/gorm"

func init() {
	// /metrics asks on every scrape for the oldest pending event and the
	// count by status; without this index both read the whole events table,
	// which only grows.
	registerMigration(6, "index events by status", func(tx *gorm.DB) error {
		return tx.Exec("CREATE INDEX IF NOT EXISTS ix_events_status_id ON events (status, id)").Error
	})
}

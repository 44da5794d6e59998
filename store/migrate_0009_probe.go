package store

import "gorm.io/gorm"

func init() {
	// /readyz proves the database can commit, not only answer: a full disk
	// or a read-only PostgreSQL answers pings while every write fails. The
	// probe rewrites one row of this table. Frozen SQL, not a model, so the
	// migration stays as it shipped.
	registerMigration(9, "write probe for readiness", func(tx *gorm.DB) error {
		return tx.Exec(`CREATE TABLE IF NOT EXISTS write_probe (
			id INTEGER PRIMARY KEY,
			probed_at BIGINT NOT NULL
		)`).Error
	})
}

package migrations

import "gorm.io/gorm"

// eventCount0011 is the table as migration 11 shipped it (frozen).
type eventCount0011 struct {
	Status string `gorm:"primaryKey;size:16"`
	Shard  int    `gorm:"primaryKey;autoIncrement:false"`
	N      int64  `gorm:"not null"`
}

func (eventCount0011) TableName() string { return "event_counts" }

func init() {
	// /metrics counted events by status with a scan that grew with the
	// table (48 ms at a million events, holding SQLite's one connection).
	// The counts are kept instead, in the transaction that changes a
	// status; this counts what is stored once, at the migration.
	registerMigration(11, "event counts by status", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&eventCount0011{}); err != nil {
			return err
		}
		return tx.Exec("INSERT INTO event_counts (status, shard, n) SELECT status, 0, COUNT(*) FROM events GROUP BY status").Error
	})
}

package migrations

import "gorm.io/gorm"

// writeProbe0009 is the table as migration 9 shipped it (frozen).
type writeProbe0009 struct {
	ID       int64 `gorm:"primaryKey;autoIncrement:false"`
	ProbedAt int64 `gorm:"not null"`
}

func (writeProbe0009) TableName() string { return "write_probe" }

func init() {
	// /readyz proves the database can commit, not only answer: a full disk
	// or a read-only PostgreSQL answers pings while every write fails. The
	// probe rewrites one row of this table.
	registerMigration(9, "write probe for readiness", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&writeProbe0009{})
	})
}

package migrations

import (
	"time"

	"gorm.io/gorm"
)

// instance0010 is the table as migration 10 shipped it (frozen).
type instance0010 struct {
	ID     string `gorm:"primaryKey;size:40"`
	Boot   string `gorm:"size:16;not null"`
	BeatAt *time.Time
}

func (instance0010) TableName() string { return "instances" }

func init() {
	// A process that restarts recognises its own earlier lane leases by a
	// stable instance id and takes them back at once, instead of waiting
	// for them to run out. The row says which boot of that id is alive and
	// when it last beat, so two live processes never share an id.
	registerMigration(10, "instances", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&instance0010{})
	})
}

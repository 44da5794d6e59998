package migrations

import (
	"time"

	"gorm.io/gorm"
)

// confirmation0018 is the table as migration 18 shipped it (frozen).
type confirmation0018 struct {
	Token     string    `gorm:"primaryKey;size:64"`
	Kind      string    `gorm:"size:32;not null"`
	UserID    string    `gorm:"size:32;not null"`
	Channel   string    `gorm:"size:32"`
	Payload   string    `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index:ix_confirmations_expires"`
	CreatedAt time.Time `gorm:"not null"`
}

func (confirmation0018) TableName() string { return "confirmations" }

func init() {
	// A request that waits for its Confirm button (a bulk move of many
	// numbers) is kept here, not in one replica's memory: the press may
	// reach any replica, or come after a restart.
	registerMigration(18, "confirmations", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&confirmation0018{})
	})
}

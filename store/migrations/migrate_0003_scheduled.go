package migrations

import (
	"time"

	"gorm.io/gorm"
)

// scheduledMessage0003 is the table as migration 3 shipped it (frozen).
type scheduledMessage0003 struct {
	ID            uint64 `gorm:"primaryKey"`
	From          string `gorm:"size:32;not null"`
	ProfileID     string `gorm:"size:64"`
	To            string `gorm:"size:32;not null"`
	Text          string
	Media         string
	SendAt        time.Time `gorm:"not null;index:ix_sched_status_send,priority:2"`
	Status        string    `gorm:"size:16;not null;index:ix_sched_status_send,priority:1"`
	TelnyxID      *string   `gorm:"size:64;uniqueIndex"`
	HandoffAt     *time.Time
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	CreatedBy     string `gorm:"size:32"`
	CancelledBy   string `gorm:"size:32"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (scheduledMessage0003) TableName() string { return "scheduled_messages" }

func init() {
	registerMigration(3, "scheduled messages", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&scheduledMessage0003{})
	})
}

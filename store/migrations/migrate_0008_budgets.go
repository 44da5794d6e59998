package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Migration 8: budgets, rate limits shared by every replica on the
// database, kept as GCRA: tat is the theoretical arrival time (when the
// bucket would next be empty if nothing more were taken); paused_until is
// the end of the latest pause a 429 or queue-full asked for. budget_holds
// are reservations: a caller told to come back at a slot keeps that slot,
// so waiters are served in the order they asked and come back once, not
// all at the same instant. The structs are the tables as they shipped
// (frozen).

type budget0008 struct {
	Key         string    `gorm:"primaryKey;size:191"`
	TAT         time.Time `gorm:"column:tat;not null"`
	PausedUntil *time.Time
	UpdatedAt   time.Time `gorm:"not null"`
}

func (budget0008) TableName() string { return "budgets" }

type budgetHold0008 struct {
	BudgetKey string    `gorm:"primaryKey;size:191"`
	Holder    string    `gorm:"primaryKey;size:191"`
	At        time.Time `gorm:"not null"`
}

func (budgetHold0008) TableName() string { return "budget_holds" }

func init() {
	registerMigration(8, "budgets: shared rate limits and their reservations", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&budget0008{}, &budgetHold0008{})
	})
}

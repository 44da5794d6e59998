package model

import "time"

// Budget is one shared rate limit (migration 8).
type Budget struct {
	Key         string    `gorm:"primaryKey;size:191"`
	TAT         time.Time `gorm:"column:tat;not null"`
	PausedUntil *time.Time
	UpdatedAt   time.Time `gorm:"not null"`
}

// BudgetHold is a reservation of a budget's slot for a caller that comes
// back (migration 8).
type BudgetHold struct {
	BudgetKey string    `gorm:"primaryKey;size:191"`
	Holder    string    `gorm:"primaryKey;size:191"`
	At        time.Time `gorm:"not null"`
}

// WriteProbe is the one row /readyz rewrites to prove a commit.
type WriteProbe struct {
	ID       int64 `gorm:"primaryKey;autoIncrement:false"`
	ProbedAt int64 `gorm:"not null"`
}

// TableName keeps the table's name singular, as migration 9 made it.
func (WriteProbe) TableName() string { return "write_probe" }

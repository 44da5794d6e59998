package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Migration 15: business hours per our number, their holidays, and when
// each conversation last got the auto-reply. The structs are the tables
// as they shipped (frozen).

type businessHours0015 struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Week      string `gorm:"size:255;not null;default:''"`
	TimeZone  string `gorm:"size:64;not null;default:''"`
	Reply     string `gorm:"not null;default:''"`
	SetBy     string `gorm:"size:32"`
	UpdatedAt time.Time
}

func (businessHours0015) TableName() string { return "business_hours" }

type holiday0015 struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Date      string `gorm:"primaryKey;size:10"`
	SetBy     string `gorm:"size:32"`
	CreatedAt time.Time
}

func (holiday0015) TableName() string { return "holidays" }

type autoReply0015 struct {
	ConversationID uint64    `gorm:"primaryKey;autoIncrement:false"`
	LastAt         time.Time `gorm:"not null"`
	TriggerID      string    `gorm:"size:64;not null"`
}

func (autoReply0015) TableName() string { return "auto_replies" }

func init() {
	registerMigration(15, "business hours, holidays and auto-replies", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&businessHours0015{}, &holiday0015{}, &autoReply0015{})
	})
}

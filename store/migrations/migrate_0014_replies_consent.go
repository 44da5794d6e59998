package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Migration 14: saved replies (/sms reply), and the consent record's
// missing parts: who made a manual opt-out or opt-in (a teammate), and
// which of our numbers an opt-in came to (over a profile it can be another
// number than the opt-out's).
//
// The structs here are the schema as this migration shipped it; they are
// frozen and never follow later edits of the models.

type savedReply0014 struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:64;not null;uniqueIndex:ux_saved_replies_name"`
	Text      string `gorm:"not null"`
	CreatedBy string `gorm:"size:32;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (savedReply0014) TableName() string { return "saved_replies" }

// optOutConsent0014 is the columns this migration adds to opt_outs.
type optOutConsent0014 struct {
	SetBy        string `gorm:"size:32;not null;default:''"`
	LiftedNumber string `gorm:"size:32;not null;default:''"`
	LiftedByUser string `gorm:"size:32;not null;default:''"`
}

func (optOutConsent0014) TableName() string { return "opt_outs" }

func init() {
	registerMigration(14, "saved replies; who changed consent, and where an opt-in came", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&savedReply0014{}); err != nil {
			return err
		}
		for _, col := range []string{"SetBy", "LiftedNumber", "LiftedByUser"} {
			if err := tx.Migrator().AddColumn(&optOutConsent0014{}, col); err != nil {
				return err
			}
		}
		// Lifted records from before this migration were lifted by a text
		// to the opt-out's own number (the only opt-in there was).
		return tx.Exec(`UPDATE opt_outs SET lifted_number = our_number WHERE lifted_at IS NOT NULL`).Error
	})
}

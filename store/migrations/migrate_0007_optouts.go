package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Migration 7: opt-outs become their own record (who is blocked from whom,
// from what source, lifted by what), our numbers remember their messaging
// profile (Telnyx blocks a STOP for the whole profile), and a conversation
// has a channel kind, so SMS and WhatsApp with the same number are two
// conversations.
//
// The structs here are the schema as this migration shipped it; they are
// frozen and never follow later edits of the models.

type optOut0007 struct {
	ID        uint64 `gorm:"primaryKey"`
	Remote    string `gorm:"size:512;not null;index:ix_optouts_remote,priority:1"`
	OurNumber string `gorm:"size:32;not null"`
	ProfileID string `gorm:"size:64;not null;default:''"`
	Source    string `gorm:"size:16;not null"`
	Keyword   string `gorm:"size:32"`
	Text      string
	CreatedAt time.Time  `gorm:"not null"`
	LiftedAt  *time.Time `gorm:"index:ix_optouts_remote,priority:2"`
	LiftedBy  string     `gorm:"size:32"`
	LiftText  string
}

func (optOut0007) TableName() string { return "opt_outs" }

type ourNumber0007 struct {
	Number    string `gorm:"primaryKey;size:32"`
	ProfileID string `gorm:"size:64;not null;default:'';index"`
	UpdatedAt time.Time
}

func (ourNumber0007) TableName() string { return "our_numbers" }

// conversationKind0007 is the column this migration adds to conversations.
type conversationKind0007 struct {
	Kind string `gorm:"size:16;not null;default:sms"`
}

func (conversationKind0007) TableName() string { return "conversations" }

func init() {
	registerMigration(7, "opt-out records, our numbers' profiles, conversation kind", func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&optOut0007{}, &ourNumber0007{}); err != nil {
			return err
		}
		if err := tx.Migrator().AddColumn(&conversationKind0007{}, "Kind"); err != nil {
			return err
		}
		for _, q := range []string{
			`DROP INDEX IF EXISTS ux_conv_numbers`,
			`CREATE UNIQUE INDEX IF NOT EXISTS ux_conv_numbers_kind ON conversations (our_number, remote_key, kind)`,
			// Every opt-out that conversations knew of becomes a record. A
			// group's flag does not say which member sent STOP, so its
			// record names the whole group (its remote key) and blocks it.
			`INSERT INTO opt_outs (remote, our_number, profile_id, source, keyword, text, created_at)
			 SELECT remote_key, our_number, '', 'keyword', opt_out_keyword, '', COALESCE(opt_out_at, updated_at)
			 FROM conversations WHERE opted_out`,
		} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

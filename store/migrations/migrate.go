// Package migrations is the store's schema history: one file per
// migration (migrate_NNNN_*.go), each registered from init with its
// version, applied in order by Apply (store.Open calls it) and recorded in
// schema_migrations. Each builds from frozen copies of its tables as it
// shipped, never from today's models, so editing a model cannot rewrite a
// migration that has run. Never edit a migration that has shipped: add the
// next.
//
// It must not import anything of smsbridge (above all not store/model,
// today's tables), nor gin, slack-go or Telnyx's packages
// (internal/layout checks this).
package migrations

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Migrations run in order, each
// in its own transaction, and are recorded in schema_migrations. Never edit
// one that has shipped: add the next.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations is the schema's history, in version order. Each one builds
// from frozen copies of its tables as it shipped (never from today's
// models), so editing a model cannot rewrite a migration that has run;
// later versions change the tables step by step (AddColumn, CreateTable,
// CreateIndex) so an existing database is brought forward. Each feature registers its own in its own file
// (migrate_NNNN_*.go) with registerMigration from init.
var migrations []migration

func registerMigration(version int, name string, up func(tx *gorm.DB) error) {
	for _, m := range migrations {
		if m.version == version {
			panic(fmt.Sprintf("migrations: migration %d registered twice", version))
		}
	}
	migrations = append(migrations, migration{version, name, up})
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].version < migrations[j].version })
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

// Apply brings db's schema up to date: it applies, in order, every
// migration not yet recorded in schema_migrations, each in its own
// transaction, stamping it with now.
func Apply(ctx context.Context, db *gorm.DB, now func() time.Time) error {
	return UpTo(ctx, db, math.MaxInt, now)
}

// UpTo applies the migrations not yet applied, up to version last
// (tests stop part-way to check what a later one does to old data).
func UpTo(ctx context.Context, db *gorm.DB, last int, now func() time.Time) error {
	db = db.WithContext(ctx)
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var applied []int
	if err := db.Model(&schemaMigration{}).Pluck("version", &applied).Error; err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range migrations {
		if done[m.version] || m.version > last {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: now()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// Latest is the newest migration's version: what Version answers once
// Apply has run.
func Latest() int { return migrations[len(migrations)-1].version }

// Version is the newest migration applied to db.
func Version(ctx context.Context, db *gorm.DB) (int, error) {
	var v int
	err := db.WithContext(ctx).Model(&schemaMigration{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, err
}

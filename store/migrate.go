package store

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
			panic(fmt.Sprintf("store: migration %d registered twice", version))
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

func (s *Store) migrate(ctx context.Context) error { return s.migrateUpTo(ctx, math.MaxInt) }

// migrateUpTo applies the migrations not yet applied, up to version last
// (tests stop part-way to check what a later one does to old data).
func (s *Store) migrateUpTo(ctx context.Context, last int) error {
	db := s.db.WithContext(ctx)
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
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: s.Now()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.WithContext(ctx).Model(&schemaMigration{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, err
}

package store

import "context"

// WriteProbe is the one row /readyz rewrites to prove a commit.
type WriteProbe struct {
	ID       int64 `gorm:"primaryKey;autoIncrement:false"`
	ProbedAt int64 `gorm:"not null"`
}

// TableName keeps the table's name singular, as migration 9 made it.
func (WriteProbe) TableName() string { return "write_probe" }

// ProbeWrite commits one small write (the one row of write_probe), so
// readiness fails when the database answers but cannot commit: a full disk,
// a read-only or failed-over PostgreSQL.
func (s *Store) ProbeWrite(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec(
		`INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`,
		s.Now().UnixNano()).Error
}

package store

import "context"

// ProbeWrite commits one small write (the one row of write_probe), so
// readiness fails when the database answers but cannot commit: a full disk,
// a read-only or failed-over PostgreSQL.
func (s *Store) ProbeWrite(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec(
		`INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`,
		s.Now().UnixNano()).Error
}

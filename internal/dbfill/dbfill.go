// Package dbfill writes many rows fast, for benchmarks and load tools that
// need a database with years of history (the App Home benchmark, loadgen
// -fill-db). It is not used by the service.
package dbfill

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batch is how many rows one INSERT statement carries.
const batch = 500

// Insert inserts the rows from up to (not including) to of cols into
// table, batch rows a statement, in tx; fill sets row i's values. dialect
// is gorm's name for the database ("sqlite" or "postgres": PostgreSQL
// numbers its placeholders).
func Insert(ctx context.Context, tx *sql.Tx, dialect, table string, cols []string, from, to int, fill func(i int, row []any)) error {
	prefix := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	values := func(rows int) string {
		var b strings.Builder
		for r := range rows {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteByte(',')
				}
				if dialect == "postgres" {
					fmt.Fprintf(&b, "$%d", r*len(cols)+c+1)
				} else {
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
		}
		return b.String()
	}
	full, err := tx.PrepareContext(ctx, prefix+values(batch))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, batch*len(cols))
	row := make([]any, len(cols))
	for i := from; i < to; i++ {
		fill(i, row)
		args = append(args, row...)
		if len(args) == cap(args) {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			args = args[:0]
		}
	}
	if len(args) > 0 {
		if _, err := tx.ExecContext(ctx, prefix+values(len(args)/len(cols)), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// IDsWritten tells PostgreSQL that table's ids up to its largest were
// written by hand, so the rows the service inserts next get new ones; on
// SQLite, which takes the next id from the table itself, it does nothing.
func IDsWritten(ctx context.Context, db *sql.DB, dialect, table string) error {
	if dialect != "postgres" {
		return nil
	}
	_, err := db.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), (SELECT MAX(id) FROM "+table+"))")
	return err
}

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
// table, batch rows a statement, in tx; fill sets row i's values.
func Insert(ctx context.Context, tx *sql.Tx, table string, cols []string, from, to int, fill func(i int, row []any)) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	prefix := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	full, err := tx.PrepareContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+",", batch), ","))
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
		rows := len(args) / len(cols)
		q := prefix + strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

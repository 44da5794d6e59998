package store

import (
	"context"
	"database/sql"
	"maps"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/internal/testdb"
)

// countRoundTrips makes every call s makes to its database count in n:
// each statement, and BEGIN and COMMIT (or ROLLBACK) of a transaction, is
// one round trip to the server.
func countRoundTrips(t *testing.T, s *Store) *atomic.Int64 {
	t.Helper()
	n := new(atomic.Int64)
	sqlDB, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	s.DB().ConnPool = &countingPool{db: sqlDB, n: n}
	s.DB().Statement.ConnPool = s.DB().ConnPool
	return n
}

type countingPool struct {
	db *sql.DB
	n  *atomic.Int64
}

func (p *countingPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *countingPool) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	p.n.Add(1)
	return p.db.PrepareContext(ctx, q)
}

func (p *countingPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.n.Add(1)
	return p.db.ExecContext(ctx, q, args...)
}

func (p *countingPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.n.Add(1)
	return p.db.QueryContext(ctx, q, args...)
}

func (p *countingPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.n.Add(1)
	return p.db.QueryRowContext(ctx, q, args...)
}

func (p *countingPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	p.n.Add(1)
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{tx: tx, n: p.n}, nil
}

type countingTx struct {
	tx *sql.Tx
	n  *atomic.Int64
}

func (c *countingTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	c.n.Add(1)
	return c.tx.PrepareContext(ctx, q)
}

func (c *countingTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.tx.ExecContext(ctx, q, args...)
}

func (c *countingTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.tx.QueryContext(ctx, q, args...)
}

func (c *countingTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.tx.QueryRowContext(ctx, q, args...)
}

func (c *countingTx) Commit() error   { c.n.Add(1); return c.tx.Commit() }
func (c *countingTx) Rollback() error { c.n.Add(1); return c.tx.Rollback() }

// Finishing an event is the engine's last step for every event: on
// PostgreSQL it is one statement, not a transaction of four round trips,
// and the kept counts stay right, also for an event finished twice.
func TestFinishingAnEventIsOneRoundTripOnPostgreSQL(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("SQLite runs in the process: no round trips to save")
	}
	s := openTest(t)
	ctx := context.Background()
	for _, id := range []string{"1", "2"} {
		if _, err := s.InsertEvent(ctx, &Event{Source: "test", ExternalID: id, Type: "work", Lane: "l1"}); err != nil {
			t.Fatal(err)
		}
	}
	var evs []Event
	if err := s.DB().Order("id").Find(&evs).Error; err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	n := countRoundTrips(t, s)
	if err := s.FinishEvent(ctx, evs[0].ID, EventDone, ""); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 1 {
		t.Fatalf("finishing an event took %d round trips, want 1", got)
	}
	if err := s.FinishEvent(ctx, evs[1].ID, EventFailed, "no"); err != nil {
		t.Fatal(err)
	}
	// Finished again (a retry of the write): the general path, no count moves twice.
	if err := s.FinishEvent(ctx, evs[0].ID, EventDone, ""); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{EventDone: 1, EventFailed: 1}
	if got := keptCounts(t, s); !maps.Equal(got, want) {
		t.Fatalf("kept counts %v, want %v", got, want)
	}
	if got := scanCounts(t, s); !maps.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	var ev Event
	if err := s.DB().Take(&ev, evs[1].ID).Error; err != nil || ev.LastError != "no" || ev.DoneAt == nil {
		t.Fatalf("failed event %+v, %v", ev, err)
	}
}

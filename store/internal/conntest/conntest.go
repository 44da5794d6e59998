// Package conntest opens a migrated database for the tests of the store's
// parts, which cannot import package store (it imports them): a fresh
// SQLite file, or a PostgreSQL database when SMSBRIDGE_TEST_POSTGRES_URL is
// set (internal/testdb). Tests only.
package conntest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/migrations"
)

// Open opens a database of the test's own, brings its schema up to date
// and closes it when the test ends. now is the clock (time.Now, or a
// Clock's Now).
func Open(t *testing.T, now func() time.Time) *conn.Conn {
	t.Helper()
	c, err := conn.Open(testdb.URL(t), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := migrations.Apply(context.Background(), c.DB, c.Now); err != nil {
		t.Fatal(err)
	}
	return c
}

// Clock is a clock a test moves by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Package conn is what every part of the store shares: the gorm handle,
// which dialect it speaks, the clock, and how a database URL is opened (the
// SQLite pragmas, the connection pools). It is internal to the store: the
// parts (work, conversations, outbox, consent, team, budgets) each embed a
// *Conn, and package store builds them all over one.
//
// It must not import the store's parts, gin, slack-go, Telnyx's packages,
// bridge, webhooks or the Slack packages (internal/layout checks this).
package conn

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/smsbridge/smsbridge/store/model"
)

// Conn is one open database and the clock its timestamps come from. It is
// safe for concurrent use.
type Conn struct {
	DB *gorm.DB
	// SQLite tells the few queries that differ which dialect to speak.
	SQLite bool
	// URL is the database URL as given; on PostgreSQL the notification
	// listener opens a connection of its own with it.
	URL   string
	clock func() time.Time
}

// PostgreSQL connection pool: how many idle connections a replica keeps,
// and how long an unused one stays open.
const (
	pgIdleConns   = 16
	pgConnMaxIdle = 5 * time.Minute
)

// Open connects to url, a file path or sqlite: URL for SQLite (":memory:"
// for a private in-memory database) or postgres://… for PostgreSQL. It
// does not touch the schema.
func Open(url string, clock func() time.Time) (*Conn, error) {
	c := &Conn{URL: url, clock: clock}
	cfg := &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: c.Now,
		// Each write is its own statement or an explicit transaction; the
		// default wrapping transaction only costs a round of locking.
		SkipDefaultTransaction: true,
		// No PrepareStmt: gorm prepares a new statement under a global lock
		// on the pool, not on the transaction. With SQLite's single
		// connection, a transaction that needs that lock while a goroutine
		// holding it waits for the connection deadlocks (seen under load;
		// the batch inserts also vary in shape and would fill the cache).
	}
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		c.DB, err = gorm.Open(postgres.Open(url), cfg)
	default:
		c.SQLite = true
		c.DB, err = gorm.Open(sqlite.Open(SQLiteDSN(url)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := c.DB.DB()
	if err != nil {
		return nil, err
	}
	if c.SQLite {
		// SQLite allows one writer at a time. With several connections,
		// concurrent writers wait on each other's file lock and fail with
		// SQLITE_BUSY under load; one connection turns that into an orderly
		// queue in database/sql, and WAL lets that one connection commit
		// without waiting for readers.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
	} else {
		// database/sql keeps 2 idle connections by default and closes the
		// rest as soon as they are put back. Workers, the group commit and
		// the heartbeats run at once, so every burst opened new PostgreSQL
		// connections: a backend forked and a SCRAM handshake on both
		// sides each time (213 during one 10,000-webhook load run with 3
		// replicas). Keep enough idle ones for a replica's usual
		// concurrency; the open ones stay unbounded as before.
		sqlDB.SetMaxIdleConns(pgIdleConns)
		sqlDB.SetConnMaxIdleTime(pgConnMaxIdle)
	}
	return c, nil
}

// PageCacheKiB is the page cache of SQLite's one connection: 64 MiB, where
// SQLite's default is 2 MB. Telnyx's ids are UUIDs, so each webhook inserts
// into its unique indexes at a place of its own; with years of history
// (10 M messages: about 0.5 GB for each of those indexes) a 2 MB cache does
// not hold even their inner pages, and every insert read them from the file
// again (README, "Measured": ingest with 10,000,000 stored messages).
const PageCacheKiB = 64 * 1024

var memSeq atomic.Int64

// SQLiteDSN turns DATABASE_URL into a go-sqlite3 DSN with the pragmas we
// rely on: WAL (readers never block the writer), a busy timeout (another
// process, such as a backup, holding the lock briefly is waited for), NORMAL
// sync (safe with WAL: a commit survives a process crash; only an OS crash
// can lose the last transactions), foreign keys, and a page cache of
// PageCacheKiB.
func SQLiteDSN(url string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
	if path == ":memory:" || path == "" {
		// A named shared in-memory database so the pool's connection sees
		// the schema; unique per Open so tests do not share state.
		path = fmt.Sprintf("file:mem%d?mode=memory&cache=shared", memSeq.Add(1))
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	} else if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	return path + sep + "_journal_mode=WAL&_busy_timeout=5000&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate" +
		fmt.Sprintf("&_cache_size=-%d", PageCacheKiB)
}

// Close closes the database.
func (c *Conn) Close() error {
	sqlDB, err := c.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Now is the store's clock.
// It is truncated to microseconds, the precision PostgreSQL keeps (which
// rounds, so an untruncated time could be stored a moment in the future and
// a lane due "now" would not yet be due).
func (c *Conn) Now() time.Time { return c.clock().UTC().Truncate(time.Microsecond) }

// NotFound turns gorm's missing row into model.ErrNotFound.
func NotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return model.ErrNotFound
	}
	return err
}

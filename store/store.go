package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNotFound is returned when a row the caller asked for does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database. It is safe for concurrent use.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	// sqlite tells the few queries that differ which dialect to speak.
	sqlite bool
	// url is the PostgreSQL URL, for the notification listener's own
	// connection.
	url string
	// ingest feeds the group-commit loop of InsertEvent (ingest.go).
	ingest     chan insertReq
	ingestDone chan struct{}
	ingestMu   sync.RWMutex
	closed     bool
	// numbers is what RememberNumber wrote lately (numbers_seen.go).
	numbers seenNumbers
}

// PostgreSQL connection pool: how many idle connections a replica keeps,
// and how long an unused one stays open.
const (
	pgIdleConns   = 16
	pgConnMaxIdle = 5 * time.Minute
)

// Option configures Open.
type Option func(*Store)

// WithClock sets the clock used for timestamps and leases (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open connects to url and brings the schema up to date. url is a file path
// or sqlite: URL for SQLite (":memory:" for a private in-memory database), or
// postgres://… for PostgreSQL.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, url: url}
	for _, o := range opts {
		o(s)
	}
	cfg := &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: s.Now,
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
		s.db, err = gorm.Open(postgres.Open(url), cfg)
	default:
		s.sqlite = true
		s.db, err = gorm.Open(sqlite.Open(sqliteDSN(url)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	if s.sqlite {
		// SQLite allows one writer at a time. With several connections,
		// concurrent writers wait on each other's file lock and fail with
		// SQLITE_BUSY under load; one connection turns that into an orderly
		// queue in database/sql, and WAL lets that one connection commit
		// without waiting for readers.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
	}
	if !s.sqlite {
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
	if err := s.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s.startIngest()
	return s, nil
}

// sqliteDSN turns DATABASE_URL into a go-sqlite3 DSN with the pragmas we
// rely on: WAL (readers never block the writer), a busy timeout (another
// process, such as a backup, holding the lock briefly is waited for), NORMAL
// sync (safe with WAL: a commit survives a process crash; only an OS crash
// can lose the last transactions) and foreign keys.
func sqliteDSN(url string) string {
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
	return path + sep + "_journal_mode=WAL&_busy_timeout=5000&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate"
}

// Close closes the database.
func (s *Store) Close() error {
	s.stopIngest()
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Now is the store's clock.
// It is truncated to microseconds, the precision PostgreSQL keeps (which
// rounds, so an untruncated time could be stored a moment in the future and
// a lane due "now" would not yet be due).
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// DB exposes the gorm handle to the store's own tests and benchmarks tools.
func (s *Store) DB() *gorm.DB { return s.db }

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

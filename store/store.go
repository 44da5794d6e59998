package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/budgets"
	"github.com/smsbridge/smsbridge/store/consent"
	"github.com/smsbridge/smsbridge/store/conversations"
	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/migrations"
	"github.com/smsbridge/smsbridge/store/outbox"
	"github.com/smsbridge/smsbridge/store/team"
	"github.com/smsbridge/smsbridge/store/work"
)

// Store is the database. It is safe for concurrent use.
//
// Its methods are its parts', each a small type over the one shared
// connection (internal/conn) in a package of its own, embedded here so
// that every method is reachable as the Store's. No two parts declare the
// same method name; a transaction never spans two parts (each keeps the
// tables its transactions change together, see DESIGN.md).
type Store struct {
	*work.Queue
	*conversations.Conversations
	*outbox.Outbox
	*consent.Records
	*team.Settings
	*budgets.Budgets
	c *conn.Conn
}

// Option configures Open.
type Option func(*options)

type options struct{ now func() time.Time }

// WithClock sets the clock used for timestamps and leases (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Open connects to url and brings the schema up to date. url is a file path
// or sqlite: URL for SQLite (":memory:" for a private in-memory database), or
// postgres://… for PostgreSQL.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	c, err := conn.Open(url, o.now)
	if err != nil {
		return nil, err
	}
	if err := migrations.Apply(ctx, c.DB, c.Now); err != nil {
		c.Close()
		return nil, err
	}
	return &Store{
		Queue:         work.New(c),
		Conversations: conversations.New(c),
		Outbox:        outbox.New(c),
		Records:       consent.New(c),
		Settings:      team.New(c),
		Budgets:       budgets.New(c),
		c:             c,
	}, nil
}

// Close ends the group commit, after the inserts already queued, and
// closes the database.
func (s *Store) Close() error {
	s.StopIngest()
	return s.c.Close()
}

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.c.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Now is the store's clock, truncated to microseconds (the precision
// PostgreSQL keeps).
func (s *Store) Now() time.Time { return s.c.Now() }

// DB exposes the gorm handle to the store's own tests and benchmarks tools.
func (s *Store) DB() *gorm.DB { return s.c.DB }

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return migrations.Version(ctx, s.c.DB)
}

// ProbeWrite commits one small write (the one row of write_probe), so
// readiness fails when the database answers but cannot commit: a full disk,
// a read-only or failed-over PostgreSQL.
func (s *Store) ProbeWrite(ctx context.Context) error {
	return s.c.DB.WithContext(ctx).Exec(
		`INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`,
		s.Now().UnixNano()).Error
}

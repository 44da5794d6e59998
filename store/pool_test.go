package store

import (
	"context"
	"sync"
	"testing"

	"github.com/smsbridge/smsbridge/internal/testdb"
)

// A replica's concurrent statements (workers, the group commit, heartbeats)
// reuse their PostgreSQL connections: a second burst as wide as the first
// opens none. With database/sql's default of 2 idle connections every
// burst forked new backends.
func TestPostgresBurstsReuseTheirConnections(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("SQLite has one connection")
	}
	ctx := context.Background()
	s, err := Open(ctx, testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	burst := func() {
		// 8 transactions open at once, each holding its connection until
		// all have one.
		var held, done sync.WaitGroup
		held.Add(8)
		done.Add(8)
		release := make(chan struct{})
		for range 8 {
			go func() {
				defer done.Done()
				tx := s.DB().WithContext(ctx).Begin()
				defer tx.Rollback()
				if err := tx.Exec("SELECT 1").Error; err != nil {
					t.Error(err)
				}
				held.Done()
				<-release
			}()
		}
		held.Wait()
		close(release)
		done.Wait()
	}
	sessions := func() int64 {
		var n int64
		// pg_stat_database counts the sessions opened on this database; its
		// statistics are read in a snapshot of their own.
		if err := s.DB().Exec("SELECT pg_stat_clear_snapshot()").Error; err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Raw("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	burst()
	before := sessions()
	burst()
	if after := sessions(); after != before {
		t.Fatalf("the second burst of 8 opened %d new connections, want 0 (idle connections closed and reopened)", after-before)
	}
}

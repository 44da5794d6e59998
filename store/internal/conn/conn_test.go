package conn

import (
	"path/filepath"
	"testing"
	"time"
)

// A SQLite file opened by the store runs with the pragmas SQLiteDSN
// promises, read back from the connection: WAL, NORMAL sync, foreign keys
// and a page cache of PageCacheKiB rather than SQLite's 2 MB.
func TestASQLiteFileRunsWithThePragmasTheStoreReliesOn(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "smsbridge.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var journal string
	var sync, fk, cache int64
	for _, p := range []struct {
		pragma string
		into   any
	}{{"journal_mode", &journal}, {"synchronous", &sync}, {"foreign_keys", &fk}, {"cache_size", &cache}} {
		if err := c.DB.Raw("PRAGMA " + p.pragma).Row().Scan(p.into); err != nil {
			t.Fatalf("PRAGMA %s: %v", p.pragma, err)
		}
	}
	if journal != "wal" || sync != 1 || fk != 1 {
		t.Fatalf("journal_mode %q, synchronous %d, foreign_keys %d; want wal, 1 (NORMAL), 1", journal, sync, fk)
	}
	// A negative cache_size is a size in KiB, not a number of pages.
	if cache != -PageCacheKiB {
		t.Fatalf("cache_size %d; want %d (%d MiB)", cache, -PageCacheKiB, PageCacheKiB/1024)
	}
}

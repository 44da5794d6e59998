package consent

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/internal/conntest"
)

// Every inbound text names our number: remembering it again writes nothing
// (one write fewer per text), while a new profile is written at once and
// the same profile again after a minute (another replica may have changed
// it meanwhile).
func TestRememberingAKnownNumberWritesNothingUntilItsProfileChanges(t *testing.T) {
	c := conntest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(conntest.Open(t, c.Now))
	ctx := context.Background()
	var writes atomic.Int64
	s.DB.Callback().Create().After("gorm:create").Register("test:count_our_numbers", func(db *gorm.DB) {
		if db.Statement.Table == "our_numbers" {
			writes.Add(1)
		}
	})
	remember := func(profile string, wantWrites int64, wantProfile string) {
		t.Helper()
		before := writes.Load()
		if err := s.RememberNumber(ctx, "+18445550001", profile); err != nil {
			t.Fatal(err)
		}
		if got := writes.Load() - before; got != wantWrites {
			t.Fatalf("remember with profile %q: %d writes, want %d", profile, got, wantWrites)
		}
		if got, _ := s.NumberProfile(ctx, "+18445550001"); got != wantProfile {
			t.Fatalf("profile %q, want %q", got, wantProfile)
		}
	}
	remember("", 1, "")
	remember("", 0, "")
	remember("P1", 1, "P1")
	remember("P1", 0, "P1")
	remember("", 0, "P1")
	remember("P2", 1, "P2")
	// Another replica (or an admin through it) moves the number meanwhile.
	if err := s.DB.Exec("UPDATE our_numbers SET profile_id = 'P3'").Error; err != nil {
		t.Fatal(err)
	}
	remember("P2", 0, "P3")
	c.Advance(seenFor)
	remember("P2", 1, "P2")
}

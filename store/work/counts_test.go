package work

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/internal/conntest"
	"github.com/smsbridge/smsbridge/store/model"
)

// /metrics asks for the oldest pending event on every scrape: the query
// must be a seek of the status index, not a scan of the events.
func TestOldestPendingIsAnIndexSeek(t *testing.T) {
	if testdb.Postgres() {
		t.Skip("the plan is checked on SQLite; PostgreSQL's planner picks by statistics")
	}
	c := conntest.Open(t, time.Now)
	q := c.DB.ToSQL(func(tx *gorm.DB) *gorm.DB { var ev model.Event; return oldestPending(tx, &ev) })
	var plan []struct {
		ID, Parent, Notused int
		Detail              string
	}
	if err := c.DB.Raw("EXPLAIN QUERY PLAN " + q).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	got := strings.Join(details, "; ")
	if !strings.Contains(got, "USING INDEX ix_events_status_id") || strings.Contains(got, "TEMP B-TREE") {
		t.Fatalf("oldest pending query plan: %s", got)
	}
}

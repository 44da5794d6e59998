package conversations

import (
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/internal/conntest"
	"github.com/smsbridge/smsbridge/store/model"
)

// TestInboxQueriesUseIndexes pins that every App Home and history query is
// an index range in the order it wants: no table scan, no sort.
func TestInboxQueriesUseIndexes(t *testing.T) {
	if testdb.Postgres() {
		t.Skip("reads SQLite's EXPLAIN QUERY PLAN; PostgreSQL's planner picks by table statistics")
	}
	c := conntest.Open(t, time.Now)
	now := time.Now()
	for _, tc := range []struct {
		name, sql, index string
		args             []any
	}{
		{"mine", sqlAssigned, "ix_conv_assignee_state_activity", []any{"U1", model.StateClaimed, 10, 20}},
		{"mine count", sqlAssignedCount, "ix_conv_assignee_state_activity", []any{"U1", model.StateClaimed}},
		{"unassigned", sqlAssigned, "ix_conv_assignee_state_activity", []any{"", model.StateOpen, 10, 0}},
		{"waiting", sqlWaiting, "ix_conv_waiting", []any{false, 10, 30}},
		{"waiting count", sqlWaitingCount, "ix_conv_waiting", []any{false}},
		{"resolved", sqlResolved, "ix_conv_state_resolved", []any{model.StateResolved, now, 10, 0}},
		{"resolved count", sqlResolvedCount, "ix_conv_state_resolved", []any{model.StateResolved, now}},
		{"due nudges", sqlDueNudges, "ix_conv_nudge", []any{false, now, 50}},
		{"due headers", sqlDueHeaders, "ix_conv_header_due", []any{now, 10}},
		{"by remote", sqlByRemote, "ix_conv_remote_activity", []any{"+13125550123", 5}},
		{"history", sqlHistory, "ix_messages_conv", []any{uint64(1), 20}},
	} {
		var rows []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := c.DB.Raw("EXPLAIN QUERY PLAN "+tc.sql, tc.args...).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var plan []string
		for _, r := range rows {
			plan = append(plan, r.Detail)
		}
		p := strings.Join(plan, "; ")
		t.Logf("%s: %s", tc.name, p)
		if !strings.Contains(p, "INDEX "+tc.index+" ") || strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a search on %s without a scan or sort", tc.name, p, tc.index)
		}
	}
}

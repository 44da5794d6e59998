package work

import (
	"context"
	"math/rand/v2"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store/model"
)

const countShards = 16

// addCounts adds deltas (status → change) to the counts in tx. Rows are
// written in status order, so two transactions never lock them crosswise.
func addCounts(tx *gorm.DB, deltas map[string]int64) error {
	statuses := make([]string, 0, len(deltas))
	for st, d := range deltas {
		if d != 0 {
			statuses = append(statuses, st)
		}
	}
	if len(statuses) == 0 {
		return nil
	}
	sort.Strings(statuses)
	shard := 0
	if tx.Dialector.Name() == "postgres" {
		shard = rand.IntN(countShards)
	}
	var sb strings.Builder
	args := make([]any, 0, 3*len(statuses))
	sb.WriteString("INSERT INTO event_counts (status, shard, n) VALUES ")
	for i, st := range statuses {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString("(?,?,?)")
		args = append(args, st, shard, deltas[st])
	}
	sb.WriteString(" ON CONFLICT (status, shard) DO UPDATE SET n = event_counts.n + excluded.n")
	return tx.Exec(sb.String(), args...).Error
}

// EventCounts is the number of stored events by status (metrics): a read
// of the summary, never a count of the events.
func (s *Queue) EventCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.DB.WithContext(ctx).Model(&model.EventCount{}).Select("status, SUM(n) AS n").Group("status").Scan(&rows).Error
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

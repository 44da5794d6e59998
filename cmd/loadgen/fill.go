package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/smsbridge/smsbridge/store"

	"github.com/smsbridge/smsbridge/internal/dbfill"
)

// fill writes history into a new database at url (SQLite path or
// postgres://), for measuring ingest and /metrics with years of it stored:
// n messages over n/100 conversations, half inbound, and one finished
// ("done") Telnyx event per message whose raw payload is gone, as after
// SMSBRIDGE_KEEP_PAYLOADS. The kept event counts are set to match. Rows go
// in multi-row INSERTs, committed every 200,000.
func fill(ctx context.Context, url string, n int, log func(string, ...any)) error {
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	db, err := st.DB().DB()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	convs := max(1, n/100)
	remote := func(i int) string { return fmt.Sprintf("+1312%07d", i) }
	ours := func(i int) string { return fmt.Sprintf("+184455500%02d", i%3) }
	start := time.Now()

	convCols := []string{"id", "our_number", "remote_key", "channel", "thread_ts", "state", "assignee_id", "resolved_by", "resolved_at",
		"opted_out", "last_activity_at", "last_direction", "last_text", "created_at", "updated_at"}
	err = inChunks(ctx, db, "conversations", convCols, convs, func(i int, row []any) {
		last := now.Add(-time.Duration(i%(365*24)) * time.Hour)
		copy(row, []any{i + 1, ours(i), remote(i), "CLOAD", fmt.Sprintf("1600%06d.%06d", i/1000, i%1000*100),
			store.StateResolved, "", "U00001", last, false, last, store.Inbound, "an old text", last.Add(-24 * time.Hour), last})
	})
	if err != nil {
		return err
	}
	log("fill: %d conversations in %s", convs, time.Since(start).Round(time.Millisecond))

	msgCols := []string{"conversation_id", "direction", "telnyx_id", "from_number", "to_numbers", "text", "media", "status", "segments", "encoding", "created_at", "updated_at"}
	err = inChunks(ctx, db, "messages", msgCols, n, func(i int, row []any) {
		conv := i % convs
		at := now.Add(-time.Duration(n-i) * 3 * time.Second)
		dir, status, from := store.Inbound, "received", remote(conv)
		if i%2 == 1 {
			dir, status, from = store.Outbound, "delivered", ours(conv)
		}
		copy(row, []any{conv + 1, dir, fmt.Sprintf("fill-msg-%09d", i), from, ours(conv) + "," + remote(conv),
			"Message text number " + fmt.Sprint(i) + " of a conversation about an order", "[]", status, 1, "GSM-7", at, at})
	})
	if err != nil {
		return err
	}
	log("fill: %d messages in %s", n, time.Since(start).Round(time.Millisecond))

	evCols := []string{"source", "external_id", "type", "lane", "status", "payload", "attempts", "next_attempt_at", "last_error", "received_at", "done_at"}
	err = inChunks(ctx, db, "events", evCols, n, func(i int, row []any) {
		at := now.Add(-time.Duration(n-i) * 3 * time.Second)
		copy(row, []any{"telnyx", fmt.Sprintf("fill-ev-%09d", i), "message.received", "conv:" + remote(i%convs), store.EventDone,
			nil, 1, at, "", at, at})
	})
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO event_counts (status, shard, n) VALUES (?, 0, ?) ON CONFLICT (status, shard) DO UPDATE SET n = event_counts.n + excluded.n", store.EventDone, n); err != nil {
		return err
	}
	log("fill: %d events in %s", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// inChunks inserts n rows of cols into table, 500 rows a statement, a
// transaction per 200,000 rows.
func inChunks(ctx context.Context, db *sql.DB, table string, cols []string, n int, row func(i int, row []any)) error {
	const perTx = 200_000
	for from := 0; from < n; from += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := dbfill.Insert(ctx, tx, table, cols, from, min(n, from+perTx), row); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

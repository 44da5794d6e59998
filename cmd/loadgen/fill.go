package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/smsbridge/smsbridge/store"

	"github.com/smsbridge/smsbridge/internal/dbfill"
)

// fill writes history into a new database at url (SQLite path or
// postgres://), for measuring ingest and /metrics with years of it stored:
// n messages over n/100 conversations, half inbound, 3 s apart, and a
// finished ("done") Telnyx event for each of the newest `events` messages
// only: older events are gone, as SMSBRIDGE_KEEP_PAYLOADS deletes them
// (fillEvents is what its default, 7 days, keeps of texts 3 s apart). Their
// Telnyx ids are UUIDs, as Telnyx's are, so the unique indexes on them are
// as scattered as in a real database. The kept event counts are set to
// match. Rows go in multi-row INSERTs, committed every 200,000.
func fill(ctx context.Context, url string, n, events int, log func(string, ...any)) error {
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	db, err := st.DB().DB()
	if err != nil {
		return err
	}
	dialect := st.DB().Dialector.Name()
	now := time.Now().UTC()
	convs := max(1, n/100)
	remote := func(i int) string { return fmt.Sprintf("+1312%07d", i) }
	ours := func(i int) string { return fmt.Sprintf("+184455500%02d", i%3) }
	start := time.Now()

	convCols := []string{"id", "our_number", "remote_key", "channel", "thread_ts", "state", "assignee_id", "resolved_by", "resolved_at",
		"opted_out", "last_activity_at", "last_direction", "last_text", "created_at", "updated_at"}
	err = inChunks(ctx, db, dialect, "conversations", convCols, 0, convs, func(i int, row []any) {
		last := now.Add(-time.Duration(i%(365*24)) * time.Hour)
		copy(row, []any{i + 1, ours(i), remote(i), "CLOAD", fmt.Sprintf("1600%06d.%06d", i/1000, i%1000*100),
			store.StateResolved, "", "U00001", last, false, last, store.Inbound, "an old text", last.Add(-24 * time.Hour), last})
	})
	if err == nil {
		err = dbfill.IDsWritten(ctx, db, dialect, "conversations")
	}
	if err != nil {
		return err
	}
	log("fill: %d conversations in %s", convs, time.Since(start).Round(time.Millisecond))

	msgCols := []string{"conversation_id", "direction", "telnyx_id", "from_number", "to_numbers", "text", "media", "status", "segments", "encoding", "created_at", "updated_at"}
	err = inChunks(ctx, db, dialect, "messages", msgCols, 0, n, func(i int, row []any) {
		conv := i % convs
		at := now.Add(-time.Duration(n-i) * 3 * time.Second)
		dir, status, from := store.Inbound, "received", remote(conv)
		if i%2 == 1 {
			dir, status, from = store.Outbound, "delivered", ours(conv)
		}
		copy(row, []any{conv + 1, dir, telnyxID("fill-msg", i), from, ours(conv) + "," + remote(conv),
			"Message text number " + fmt.Sprint(i) + " of a conversation about an order", "[]", status, 1, "GSM-7", at, at})
	})
	if err != nil {
		return err
	}
	log("fill: %d messages in %s", n, time.Since(start).Round(time.Millisecond))

	evCols := []string{"source", "external_id", "type", "lane", "status", "payload", "attempts", "next_attempt_at", "last_error", "received_at", "done_at"}
	events = min(n, events)
	err = inChunks(ctx, db, dialect, "events", evCols, n-events, n, func(i int, row []any) {
		at := now.Add(-time.Duration(n-i) * 3 * time.Second)
		copy(row, []any{"telnyx", telnyxID("fill-ev", i), "message.received", "conv:" + ours(i%convs) + "|" + remote(i%convs), store.EventDone,
			nil, 1, at, "", at, at})
	})
	if err != nil {
		return err
	}
	if err := st.DB().WithContext(ctx).Exec("INSERT INTO event_counts (status, shard, n) VALUES (?, 0, ?) ON CONFLICT (status, shard) DO UPDATE SET n = event_counts.n + excluded.n", store.EventDone, events).Error; err != nil {
		return err
	}
	log("fill: %d events in %s", events, time.Since(start).Round(time.Millisecond))
	return nil
}

// fillEvents is how many events SMSBRIDGE_KEEP_PAYLOADS's default (7 days)
// keeps of texts 3 s apart.
const fillEvents = int(7 * 24 * time.Hour / (3 * time.Second))

// inChunks inserts rows first..n-1 of cols into table, 500 rows a
// statement, a transaction per 200,000 rows.
func inChunks(ctx context.Context, db *sql.DB, dialect, table string, cols []string, first, n int, row func(i int, row []any)) error {
	const perTx = 200_000
	for from := first; from < n; from += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := dbfill.Insert(ctx, tx, dialect, table, cols, from, min(n, from+perTx), row); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// telnyxID is a UUID for the i-th id of kind, the same on every run: Telnyx's
// event and message ids are UUIDs, which land anywhere in an index, unlike
// ids counted up.
func telnyxID(kind string, i int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(kind+"-"+strconv.Itoa(i))).String()
}

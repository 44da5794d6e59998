package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/smsbridge/smsbridge/store"
)

// fill leaves a database the service opens, with the messages, events and
// kept counts it says, and history a conversation's thread can read.
func TestFillWritesTheHistoryItSays(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	const n = 1234
	if err := fill(ctx, path, n, t.Logf); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var msgs, events, convs int64
	st.DB().Table("messages").Count(&msgs)
	st.DB().Table("events").Where("status = ?", store.EventDone).Count(&events)
	st.DB().Table("conversations").Count(&convs)
	if msgs != n || events != n || convs != n/100 {
		t.Fatalf("messages %d events %d conversations %d, want %d %d %d", msgs, events, convs, n, n, n/100)
	}
	counts, err := st.EventCounts(ctx)
	if err != nil || counts[store.EventDone] != n {
		t.Fatalf("kept counts %v (%v), want done=%d", counts, err, n)
	}
	h, err := st.History(ctx, 1, 1000)
	if err != nil || len(h) == 0 {
		t.Fatalf("history of conversation 1: %d messages, %v", len(h), err)
	}
}

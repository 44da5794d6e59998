package main

import (
	"context"
	"testing"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

// fill leaves a database the service opens, with the messages, events and
// kept counts it says, and history a conversation's thread can read: events
// only for the newest messages, as SMSBRIDGE_KEEP_PAYLOADS leaves them.
func TestFillWritesTheHistoryItSays(t *testing.T) {
	ctx := context.Background()
	path := testdb.URL(t) // PostgreSQL too, when the tests are given one
	const n, kept = 1234, 100
	if err := fill(ctx, path, n, kept, t.Logf); err != nil {
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
	if msgs != n || events != kept || convs != n/100 {
		t.Fatalf("messages %d events %d conversations %d, want %d %d %d", msgs, events, convs, n, kept, n/100)
	}
	var newest, older int64
	st.DB().Table("events").Where("external_id = ?", telnyxID("fill-ev", n-1)).Count(&newest)
	st.DB().Table("events").Where("external_id = ?", telnyxID("fill-ev", n-kept-1)).Count(&older)
	if newest != 1 || older != 0 {
		t.Fatalf("the newest message's event stored %d times, the one before the kept %d times; want 1 and 0", newest, older)
	}
	counts, err := st.EventCounts(ctx)
	if err != nil || counts[store.EventDone] != kept {
		t.Fatalf("kept counts %v (%v), want done=%d", counts, err, kept)
	}
	// A conversation the service starts after the fill gets an id of its
	// own (the fill wrote the conversations' ids itself).
	if c, _, err := st.FindOrCreateConversation(ctx, store.KindSMS, "+18445550009", "+13125559999"); err != nil || c.ID <= n/100 {
		t.Fatalf("a new conversation after the fill: %+v, %v", c, err)
	}
	h, err := st.History(ctx, 1, 1000)
	if err != nil || len(h) == 0 {
		t.Fatalf("history of conversation 1: %d messages, %v", len(h), err)
	}
}

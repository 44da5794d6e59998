package retention

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store"
)

// Retention with KEEP_PAYLOADS 7 days and KEEP_MESSAGES 30 days: finished
// events older than a week go with their payloads, newer ones stay whole,
// messages older than 30 days go; a pending event, an open outbox entry,
// the conversation, its opt-out and its scheduled message stay however
// old; and webhooks arriving meanwhile are all stored and untouched.
func TestRetentionDeletesWhatItsSettingsSayAndNothingElse(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, testdb.URL(t))
	now := st.Now()
	day := 24 * time.Hour
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	payload := []byte(`{"data":{}}`)

	type evCase struct {
		id     string
		age    time.Duration
		status string
		kept   bool // what retention must leave
	}
	events := []evCase{
		{"old-done", 40 * day, store.EventDone, false},
		{"old-failed", 40 * day, store.EventFailed, false},
		{"old-pending", 40 * day, store.EventPending, true},
		{"week-done", 10 * day, store.EventDone, false},
		{"week-ignored", 10 * day, store.EventIgnored, false},
		{"week-pending", 10 * day, store.EventPending, true},
		{"new-done", day, store.EventDone, true},
	}
	// Many old finished events, so the janitor takes several steps.
	for i := range 3 * store.RetentionBatch {
		events = append(events, evCase{fmt.Sprintf("bulk-%04d", i), 35 * day, store.EventDone, false})
	}
	slices.SortStableFunc(events, func(a, b evCase) int { return int(b.age - a.age) }) // ids grow with time
	for _, e := range events {
		lane := "conv:x"
		if e.status == store.EventIgnored {
			lane = ""
		}
		ev := &store.Event{Source: "telnyx", ExternalID: e.id, Type: "t", Lane: lane, Status: e.status, Payload: payload, ReceivedAt: ago(e.age)}
		if _, err := st.InsertEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	conv, _, err := st.FindOrCreateConversation(ctx, store.KindSMS, "+18445550001", "+13125550123")
	if err != nil {
		t.Fatal(err)
	}
	st.DB().Model(&store.Conversation{}).Where("id = ?", conv.ID).Update("last_activity_at", ago(60*day))
	type msgCase struct {
		text, dir, status string
		age               time.Duration
		kept              bool
	}
	msgs := []msgCase{
		{"old inbound", store.Inbound, "", 40 * day, false},
		{"old delivered", store.Outbound, store.OutDelivered, 40 * day, false},
		{"old pending", store.Outbound, store.OutPending, 40 * day, true},
		{"old sending", store.Outbound, store.OutSending, 40 * day, true},
		{"old ambiguous", store.Outbound, store.OutAmbiguous, 40 * day, true},
		{"old not sent", store.Outbound, store.OutNotSent, 40 * day, true},
		{"recent inbound", store.Inbound, "", 10 * day, true},
	}
	for _, m := range msgs {
		err := st.DB().Create(&store.Message{ConversationID: conv.ID, Direction: m.dir, Status: m.status, Text: m.text, CreatedAt: ago(m.age)}).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DB().Create(&store.OptOut{Remote: "+13125550123", OurNumber: "+18445550001", Source: store.OptOutKeyword, Keyword: "STOP", CreatedAt: ago(90 * day)}).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Create(&store.ScheduledMessage{From: "+18445550001", To: "+13125550123", Text: "later", Status: store.SchedHanded, SendAt: ago(50 * day)}).Error; err != nil {
		t.Fatal(err)
	}

	// Webhooks keep arriving while the janitor works.
	stop := make(chan struct{})
	var arrived []string
	var wg sync.WaitGroup
	var slowest atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("live-%d", i)
			start := time.Now()
			if _, err := st.InsertEvent(ctx, &store.Event{Source: "telnyx", ExternalID: id, Type: "t", Lane: "conv:y", Payload: payload}); err != nil {
				t.Error(err)
				return
			}
			if d := int64(time.Since(start)); d > slowest.Load() {
				slowest.Store(d)
			}
			arrived = append(arrived, id)
		}
	}()
	j := New(st, slog.New(slog.DiscardHandler), Config{KeepPayloads: 7 * day, KeepMessages: 30 * day, Pause: time.Millisecond})
	if err := j.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()

	for _, e := range events {
		var got store.Event
		err := st.DB().Where("external_id = ?", e.id).Take(&got).Error
		if kept := err == nil; kept != e.kept {
			t.Fatalf("event %s kept=%v, want %v", e.id, kept, e.kept)
		}
		if e.kept && got.Payload == nil {
			t.Fatalf("event %s kept without its payload", e.id)
		}
	}
	for _, id := range arrived {
		var got store.Event
		if err := st.DB().Where("external_id = ?", id).Take(&got).Error; err != nil || got.Payload == nil {
			t.Fatalf("webhook %s that arrived during retention: %v, payload %q", id, err, got.Payload)
		}
	}
	for _, m := range msgs {
		var n int64
		st.DB().Model(&store.Message{}).Where("text = ?", m.text).Count(&n)
		if (n == 1) != m.kept {
			t.Fatalf("message %q kept=%v, want %v", m.text, n == 1, m.kept)
		}
	}
	var convs, optouts, scheds int64
	st.DB().Model(&store.Conversation{}).Count(&convs)
	st.DB().Model(&store.OptOut{}).Count(&optouts)
	st.DB().Model(&store.ScheduledMessage{}).Count(&scheds)
	if convs != 1 || optouts != 1 || scheds != 1 {
		t.Fatalf("conversations %d, opt-outs %d, scheduled %d after retention; want each kept", convs, optouts, scheds)
	}
	// The kept counts follow the deletions.
	counts, _ := st.EventCounts(ctx)
	maps.DeleteFunc(counts, func(_ string, n int64) bool { return n == 0 })
	want := map[string]int64{store.EventPending: 2 + int64(len(arrived)), store.EventDone: 1}
	if !maps.Equal(counts, want) {
		t.Fatalf("event counts after retention %v, want %v", counts, want)
	}
	deleted := j.Deleted()
	if deleted["events"] != 4+3*store.RetentionBatch || deleted["messages"] != 2 || len(deleted) != 2 {
		t.Fatalf("retention reports %v", deleted)
	}
	t.Logf("%d webhooks arrived during the pass; the slowest took %v", len(arrived), time.Duration(slowest.Load()))
}

// A finished event is kept as long as the shorter of the two settings that
// are not forever: KEEP_PAYLOADS alone, KEEP_MESSAGES alone, or both.
func TestAFinishedEventIsKeptAsLongAsTheShorterSetting(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		name                   string
		payloads, messages     time.Duration
		keptAt10Days, keptAt40 bool
	}{
		{"payloads 7 days, messages forever", 7 * day, 0, false, false},
		{"payloads forever, messages 30 days", 0, 30 * day, true, false},
		{"payloads 60 days, messages 30 days", 60 * day, 30 * day, true, false},
		{"both forever", 0, 0, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			st := openStore(t, testdb.URL(t))
			now := st.Now()
			for _, e := range []struct {
				id  string
				age time.Duration
			}{{"forty", 40 * day}, {"ten", 10 * day}, {"one", day}} {
				ev := &store.Event{Source: "telnyx", ExternalID: e.id, Type: "t", Lane: "conv:x", Status: store.EventDone, Payload: []byte("{}"), ReceivedAt: now.Add(-e.age)}
				if _, err := st.InsertEvent(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			j := New(st, slog.New(slog.DiscardHandler), Config{KeepPayloads: c.payloads, KeepMessages: c.messages, Pause: time.Millisecond})
			if err := j.Pass(ctx); err != nil {
				t.Fatal(err)
			}
			kept := func(id string) bool {
				var n int64
				st.DB().Model(&store.Event{}).Where("external_id = ?", id).Count(&n)
				return n == 1
			}
			if kept("forty") != c.keptAt40 || kept("ten") != c.keptAt10Days || !kept("one") {
				t.Fatalf("kept: 40 days old %v, 10 days %v, 1 day %v; want %v, %v, true", kept("forty"), kept("ten"), kept("one"), c.keptAt40, c.keptAt10Days)
			}
		})
	}
}

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

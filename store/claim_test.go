package store

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/work"
)

// On PostgreSQL a claimer passes over a lane whose row another transaction
// holds (a replica claiming or releasing it) and takes the next one at
// once, instead of queuing behind that lock.
func TestClaimLaneSkipsALaneAnotherTransactionHolds(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer")
	}
	ctx := context.Background()
	url := testdb.URL(t)
	a, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.InsertEvent(ctx, &Event{Source: "t", ExternalID: "1", Type: "t", Lane: "first"})
	a.InsertEvent(ctx, &Event{Source: "t", ExternalID: "2", Type: "t", Lane: "second"})
	// "first" is due strictly sooner.
	if err := a.DB().Exec("UPDATE lanes SET due_at = due_at - interval '1 minute' WHERE name = 'first'").Error; err != nil {
		t.Fatal(err)
	}
	tx := a.DB().Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT name FROM lanes WHERE name = 'first' FOR UPDATE").Error; err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	name, ok, err := b.ClaimLane(cctx, "w", time.Minute)
	if err != nil || !ok || name != "second" {
		t.Fatalf("claim while another transaction holds the soonest lane: %q %v %v, want \"second\" at once", name, ok, err)
	}
}

// A notification from one store wakes a listener on another: the replica
// that commits an event wakes idle workers everywhere.
func TestCommittedWorkWakesAListenerOnAnotherStore(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := testdb.URL(t)
	a, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	woken := make(chan struct{}, 16)
	go b.ListenForWork(ctx, slog.New(slog.DiscardHandler), func() { woken <- struct{}{} })
	select { // the first wake-up says the listener is connected
	case <-woken:
	case <-time.After(5 * time.Second):
		t.Fatal("listener did not connect")
	}
	if _, err := a.InsertEvent(ctx, &Event{Source: "t", ExternalID: "1", Type: "t", Lane: "l"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(2 * time.Second):
		t.Fatal("an event committed on one store did not wake the other's listener")
	}
}

// Only a lane that becomes due wakes the replicas: an event into a lane that
// is due already (a burst into one conversation) sends no notification, so
// a burst does not wake every replica's workers once per commit.
func TestOnlyALaneBecomingDueNotifiesTheReplicas(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's")
	}
	ctx := context.Background()
	url := testdb.URL(t)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "LISTEN "+work.NotifyChannel); err != nil {
		t.Fatal(err)
	}
	insert := func(id, lane string) {
		t.Helper()
		if _, err := s.InsertEvent(ctx, &Event{Source: "t", ExternalID: id, Type: "t", Lane: lane}); err != nil {
			t.Fatal(err)
		}
	}
	insert("1", "a") // idle lane becomes due: one notification
	insert("2", "a") // due already: none
	insert("3", "a") // none
	insert("4", "b") // another lane becomes due: one
	// A marker of our own, delivered after everything committed before it.
	if err := s.DB().Exec("SELECT pg_notify(?, 'marker')", work.NotifyChannel).Error; err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n := 0
	for {
		note, err := conn.WaitForNotification(wctx)
		if err != nil {
			t.Fatalf("waiting for the marker: %v (after %d wake-ups)", err, n)
		}
		if note.Payload == "marker" {
			break
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d wake-ups for 2 lanes becoming due and 2 events into a due lane, want 2", n)
	}
}

package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// A scrape of /metrics reads what the service last read of the store and
// never waits for the database: with SQLite's one connection held (as an
// ingest batch or a worker's transaction holds it under load) it still
// answers at once, with the event counts; and what is committed shows up
// within a refresh or two.
func TestMetricsAnswerWithoutWaitingForTheDatabase(t *testing.T) {
	svc := newService(t)
	cfg, err := loadConfig(func(k string) string { return svc.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := build(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	a.start(ctx)
	defer func() { a.stopWork(); a.wg.Wait() }()
	scrape := func() string {
		w := httptest.NewRecorder()
		a.router.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return w.Body.String()
	}
	waitMetrics := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(scrape(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("/metrics never showed %q:\n%s", want, scrape())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitMetrics(`smsbridge_events{status="ignored"} 0`)

	// An event nobody handles is stored as ignored and stays so.
	if _, err := a.st.InsertEvent(ctx, &store.Event{Source: "test", ExternalID: "1", Type: "unknown"}); err != nil {
		t.Fatal(err)
	}
	waitMetrics(`smsbridge_events{status="ignored"} 1`)

	tx := a.st.DB().Begin() // holds SQLite's only connection
	if err := tx.Exec("UPDATE write_probe SET probed_at = probed_at").Error; err != nil {
		t.Fatal(err)
	}
	answered := make(chan string, 1)
	go func() { answered <- scrape() }()
	select {
	case body := <-answered:
		if !strings.Contains(body, `smsbridge_events{status="ignored"} 1`) || !strings.Contains(body, "smsbridge_oldest_pending_event_age_seconds 0.000") {
			t.Errorf("/metrics while the database is held:\n%s", body)
		}
	case <-time.After(2 * time.Second):
		t.Error("/metrics waited for the database connection")
	}
	tx.Rollback()
}

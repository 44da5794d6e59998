package webhooks

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsShowWhatRetentionRemoved(t *testing.T) {
	m := NewMetrics()
	m.Retention = func() map[string]int64 { return map[string]int64{"events": 3, "messages": 2} }
	h := NewRouter(Deps{Log: slog.New(slog.DiscardHandler), Metrics: m})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathMetrics, nil))
	body := w.Body.String()
	for _, want := range []string{
		`smsbridge_retention_removed_total{what="events"} 3`,
		`smsbridge_retention_removed_total{what="messages"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

package webhooks

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Metrics counts requests by route and status and reports the store's event
// backlog, in the Prometheus text format.
type Metrics struct {
	mu       sync.Mutex
	requests map[string]uint64
	// Events, if set, reports stored events by status (pending, failed…).
	Events func(ctx context.Context) (map[string]int64, error)
	// OldestPending, if set, says how long the oldest unfinished event has
	// waited: the number to alert on when Slack or Telnyx is down.
	OldestPending func(ctx context.Context) (time.Duration, error)
	// Retention, if set, says what the retention janitor removed since
	// start: "events" and "messages" deleted.
	Retention func() map[string]int64
}

// NewMetrics makes an empty Metrics.
func NewMetrics() *Metrics { return &Metrics{requests: map[string]uint64{}} }

func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "unmatched"
		}
		key := fmt.Sprintf(`route=%q,status="%d"`, path, c.Writer.Status())
		m.mu.Lock()
		m.requests[key]++
		m.mu.Unlock()
	}
}

func (m *Metrics) handler(c *gin.Context) {
	var b strings.Builder
	b.WriteString("# TYPE smsbridge_http_requests_total counter\n")
	m.mu.Lock()
	keys := make([]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "smsbridge_http_requests_total{%s} %d\n", k, m.requests[k])
	}
	m.mu.Unlock()
	if m.Events != nil {
		if counts, err := m.Events(c.Request.Context()); err == nil {
			b.WriteString("# TYPE smsbridge_events gauge\n")
			for _, s := range []string{"pending", "done", "failed", "ignored"} {
				fmt.Fprintf(&b, "smsbridge_events{status=%q} %d\n", s, counts[s])
			}
		}
	}
	if m.OldestPending != nil {
		if age, err := m.OldestPending(c.Request.Context()); err == nil {
			b.WriteString("# TYPE smsbridge_oldest_pending_event_age_seconds gauge\n")
			fmt.Fprintf(&b, "smsbridge_oldest_pending_event_age_seconds %.3f\n", age.Seconds())
		}
	}
	if m.Retention != nil {
		removed := m.Retention()
		b.WriteString("# TYPE smsbridge_retention_removed_total counter\n")
		for _, what := range []string{"events", "messages"} {
			fmt.Fprintf(&b, "smsbridge_retention_removed_total{what=%q} %d\n", what, removed[what])
		}
	}
	c.Data(200, "text/plain; version=0.0.4", []byte(b.String()))
}

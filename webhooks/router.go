package webhooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// MaxBody is the largest request body accepted on any route.
const MaxBody = 1 << 20

// Route paths, as the Slack app manifest and the Telnyx profile name them.
const (
	PathTelnyx           = "/webhooks/telnyx"
	PathSlackEvents      = "/slack/events"
	PathSlackCommands    = "/slack/commands"
	PathSlackInteraction = "/slack/interactivity"
	PathHealth           = "/healthz"
	PathReady            = "/readyz"
	PathMetrics          = "/metrics"
	PathMedia            = "/media/:token"
)

// Pinger is the database as readiness needs it: it answers, and it can
// commit (a full disk or a read-only PostgreSQL still answers pings).
type Pinger interface {
	Ping(ctx context.Context) error
	ProbeWrite(ctx context.Context) error
}

// Deps is what the router hands requests to. Nil handlers leave their route
// unregistered (answered 404), so the service can grow route by route.
type Deps struct {
	Log     *slog.Logger
	DB      Pinger
	Telnyx  *TelnyxHandler
	Metrics *Metrics
	// Slack request handlers, already verifying Slack's signature.
	SlackEvents      gin.HandlerFunc
	SlackCommands    gin.HandlerFunc
	SlackInteraction gin.HandlerFunc
	Media            gin.HandlerFunc
}

// NewRouter wires every route and middleware in one place.
func NewRouter(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), accessLog(d.Log))
	if d.Metrics != nil {
		r.Use(d.Metrics.middleware())
		r.GET(PathMetrics, d.Metrics.handler)
	}
	r.GET(PathHealth, func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET(PathReady, func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unreachable"})
			return
		}
		// Webhooks are acknowledged only once committed: a database that
		// cannot commit would answer every one 503, so take us out first.
		if err := d.DB.ProbeWrite(ctx); err != nil {
			d.Log.Warn("readiness: database cannot commit", "err", err)
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database cannot commit"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
	if d.Telnyx != nil {
		r.POST(PathTelnyx, d.Telnyx.Serve)
	}
	for path, h := range map[string]gin.HandlerFunc{
		PathSlackEvents: d.SlackEvents, PathSlackCommands: d.SlackCommands, PathSlackInteraction: d.SlackInteraction,
	} {
		if h != nil {
			r.POST(path, h)
		}
	}
	if d.Media != nil {
		r.GET(PathMedia, d.Media)
		r.HEAD(PathMedia, d.Media) // some fetchers ask for the size first
	}
	return r
}

// readBody reads the raw body, at most MaxBody bytes, or answers the
// request itself: 413 for a larger body, 400 for one that cannot be read.
// ok is false when it answered.
func readBody(c *gin.Context) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		Fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBody))
		return nil, false
	case err != nil:
		Fail(c, http.StatusBadRequest, "could not read body")
		return nil, false
	}
	return body, true
}

// Fail answers an error as JSON with a short reason.
func Fail(c *gin.Context, status int, reason string) {
	c.AbortWithStatusJSON(status, gin.H{"error": reason})
}

// accessLog logs each request at debug level, errors at warn. It logs the
// path, never the query or body: those may carry numbers and tokens.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		lvl := slog.LevelDebug
		if status >= 500 {
			lvl = slog.LevelWarn
		}
		log.Log(c.Request.Context(), lvl, "http", "method", c.Request.Method, "path", c.FullPath(), "status", status, "dur", time.Since(start))
	}
}

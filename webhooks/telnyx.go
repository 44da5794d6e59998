package webhooks

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

// TelnyxIngester commits a verified event (bridge.Bridge).
type TelnyxIngester interface {
	IngestTelnyx(ctx context.Context, ev *telnyxhook.Event, raw []byte) (bool, error)
}

// TelnyxHandler serves POST /webhooks/telnyx: verify, parse, commit, answer.
// It answers 2xx only once the event is committed, so Telnyx redelivers
// anything we could lose.
type TelnyxHandler struct {
	Verifier *telnyxhook.Verifier
	Ingester TelnyxIngester
	Log      *slog.Logger
}

// Serve handles one webhook.
func (h *TelnyxHandler) Serve(c *gin.Context) {
	body, ok := readBody(c)
	if !ok {
		return
	}
	if err := h.Verifier.Verify(c.GetHeader(telnyxhook.HeaderSignature), c.GetHeader(telnyxhook.HeaderTimestamp), body); err != nil {
		h.Log.Warn("telnyx webhook rejected", "reason", err.Error())
		Fail(c, http.StatusUnauthorized, err.Error())
		return
	}
	ev, err := telnyxhook.ParseWebhook(body)
	if err != nil {
		h.Log.Warn("telnyx webhook malformed", "reason", err.Error())
		Fail(c, http.StatusBadRequest, err.Error())
		return
	}
	inserted, err := h.Ingester.IngestTelnyx(c.Request.Context(), ev, body)
	if err != nil {
		// Not committed: a 5xx makes Telnyx try again.
		h.Log.Error("telnyx webhook not stored", "event", ev.DedupKey(), "err", err)
		Fail(c, http.StatusServiceUnavailable, "could not store event")
		return
	}
	if inserted {
		c.JSON(http.StatusOK, gin.H{"status": "accepted"})
	} else {
		c.JSON(http.StatusOK, gin.H{"status": "duplicate"})
	}
}

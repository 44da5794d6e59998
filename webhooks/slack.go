package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// SlackTolerance is how far a Slack request's timestamp may be from now.
const SlackTolerance = 5 * time.Minute

// Slack verification failures.
var (
	ErrSlackNoSignature = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrSlackStale       = errors.New("request timestamp outside the 5-minute window")
	ErrSlackSignature   = errors.New("signature does not verify")
)

// VerifySlack checks Slack's v0 signature: HMAC-SHA256 with the signing
// secret over "v0:" + timestamp + ":" + raw body.
func VerifySlack(secret string, now time.Time, h http.Header, body []byte) error {
	sig, tsHeader := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || tsHeader == "" {
		return ErrSlackNoSignature
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return ErrSlackStale
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SlackTolerance || d < -SlackTolerance {
		return ErrSlackStale
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsHeader + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrSlackSignature
	}
	return nil
}

// SignSlack makes the headers Slack would send (tests, load tools).
func SignSlack(secret string, ts time.Time, body []byte) http.Header {
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + t + ":"))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	h.Set("X-Slack-Request-Timestamp", t)
	return h
}

// SlackSigned wraps a Slack request handler: it reads the raw body (at most
// MaxBody), verifies it, and hands next the request with the body restored.
// A bad signature or stale timestamp is 401 and next never runs.
func SlackSigned(secret string, now func() time.Time, log *slog.Logger, next http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		body, ok := readBody(c)
		if !ok {
			return
		}
		if err := VerifySlack(secret, now(), c.Request.Header, body); err != nil {
			log.Warn("slack request rejected", "path", c.FullPath(), "reason", err.Error())
			Fail(c, http.StatusUnauthorized, err.Error())
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(c.Writer, c.Request)
	}
}

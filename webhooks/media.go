package webhooks

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// MediaSource serves outbound MMS media by token (bridge.Outbound).
type MediaSource interface {
	Media(ctx context.Context, token string) (body []byte, contentType string, found bool, err error)
}

// Media serves GET /media/:token: the one file the token was made for, while
// it has not expired. Unknown and expired tokens are the same 404, so a
// probe learns nothing.
func Media(src MediaSource) gin.HandlerFunc {
	return func(c *gin.Context) {
		body, ctype, found, err := src.Media(c.Request.Context(), c.Param("token"))
		if err != nil {
			Fail(c, http.StatusServiceUnavailable, "media unavailable")
			return
		}
		if !found {
			Fail(c, http.StatusNotFound, "not found")
			return
		}
		h := c.Writer.Header()
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		c.Data(http.StatusOK, ctype, body)
	}
}

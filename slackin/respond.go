package slackin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/smsbridge/smsbridge/slackpost"
)

// HTTPResponder posts messages to Slack response_urls.
type HTTPResponder struct {
	Client *http.Client
	// Hosts are where a response_url may point (Slack's own by default).
	Hosts slackpost.SlackHosts
}

// Respond posts msg to url. Slack allows five posts per response_url in 30
// minutes; callers send one result each.
func (h *HTTPResponder) Respond(ctx context.Context, url string, msg *slack.Msg) error {
	if err := h.Hosts.Check(url); err != nil {
		// A response_url comes inside the request: never post elsewhere.
		return fmt.Errorf("response_url refused: %w", err)
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := h.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("response_url: HTTP %d", resp.StatusCode)
	}
	return nil
}

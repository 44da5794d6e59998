package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type captured struct{ body string }

func (c *captured) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	c.body = string(b)
	if r.ContentLength != int64(len(b)) {
		return nil, io.ErrUnexpectedEOF
	}
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
}

func blocksJSON(n int) string {
	bs := make([]any, n)
	for i := range bs {
		bs[i] = map[string]any{"type": "divider"}
	}
	b, _ := json.Marshal(bs)
	return string(b)
}

func send(t *testing.T, path, ct, body string) string {
	t.Helper()
	c := &captured{}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if _, err := MarkPosts(c).RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	return c.body
}

// A post already marked (a header the service read back and posts again)
// is not marked twice, and a message or view at Slack's block limit is
// left at it (its text still marked) rather than refused by Slack.
func TestMarkPostsMarksOnceAndKeepsSlacksBlockLimits(t *testing.T) {
	once := send(t, "/api/chat.update", "application/json", `{"text":"hi","blocks":`+blocksJSON(1)+`}`)
	twice := send(t, "/api/chat.update", "application/json", once)
	var msg struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(twice), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Text != TextMarker+"hi" || len(msg.Blocks) != 2 || !isMarker(msg.Blocks[0]) {
		t.Errorf("marked twice: %s", twice)
	}

	full := send(t, "/api/chat.postMessage", "application/x-www-form-urlencoded",
		url.Values{"text": {"hi"}, "blocks": {blocksJSON(50)}}.Encode())
	form, _ := url.ParseQuery(full)
	var blocks []json.RawMessage
	_ = json.Unmarshal([]byte(form.Get("blocks")), &blocks)
	if len(blocks) != 50 || form.Get("text") != TextMarker+"hi" {
		t.Errorf("a message at 50 blocks: %d blocks, text %q", len(blocks), form.Get("text"))
	}

	view := send(t, "/api/views.publish", "application/json", `{"user_id":"U1","view":{"type":"home","blocks":`+blocksJSON(99)+`}}`)
	var pub struct {
		View struct {
			Blocks []json.RawMessage `json:"blocks"`
		} `json:"view"`
	}
	_ = json.Unmarshal([]byte(view), &pub)
	if len(pub.View.Blocks) != 100 || !isMarker(pub.View.Blocks[0]) {
		t.Errorf("a view of 99 blocks: %d blocks after marking, want 100 with the marker first", len(pub.View.Blocks))
	}

	other := `{"text":"hello"}`
	if got := send(t, "/webhooks/telnyx", "application/json", other); got != other {
		t.Errorf("a request that is no Slack post was changed: %s", got)
	}
}

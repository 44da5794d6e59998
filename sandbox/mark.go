package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// In half-real mode the posts go to a real workspace, where people must
// see that they come from the sandbox: MarkPosts rewrites every message
// the service posts (chat.postMessage, chat.update, chat.postEphemeral,
// chat.scheduleMessage) on its way out, whatever part of the service
// sent it: the fallback text gets a "[sandbox]" prefix and the blocks a
// context line first (when the message has room under Slack's 50 blocks).

// Marker is the context block put first in every marked post.
var Marker = map[string]any{"type": "context", "elements": []any{
	map[string]any{"type": "mrkdwn", "text": ":test_tube: *smsbridge sandbox*: the phones and the carrier are simulated; no real text is sent"},
}}

// TextMarker starts every marked post's text.
const TextMarker = "[sandbox] "

var markedMethods = map[string]bool{
	"/chat.postMessage": true, "/chat.update": true, "/chat.postEphemeral": true, "/chat.scheduleMessage": true,
}

// MarkPosts wraps base so that, when on, Slack posts are marked as the
// sandbox's. Off, it returns base.
func MarkPosts(base http.RoundTripper, on bool) http.RoundTripper {
	if !on {
		return base
	}
	return marker{base}
}

type marker struct{ base http.RoundTripper }

func (m marker) RoundTrip(r *http.Request) (*http.Response, error) {
	i := strings.LastIndex(r.URL.Path, "/")
	if r.Method != http.MethodPost || r.Body == nil || i < 0 || !markedMethods[r.URL.Path[i:]] {
		return m.base.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		body = markJSON(body)
	} else if form, err := url.ParseQuery(string(body)); err == nil {
		if t := form.Get("text"); t != "" {
			form.Set("text", TextMarker+t)
		}
		if b := form.Get("blocks"); b != "" {
			form.Set("blocks", string(markBlocks([]byte(b))))
		}
		body = []byte(form.Encode())
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return m.base.RoundTrip(r2)
}

func markJSON(body []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	var text string
	if json.Unmarshal(obj["text"], &text) == nil && text != "" {
		obj["text"], _ = json.Marshal(TextMarker + text)
	}
	if len(obj["blocks"]) > 0 {
		obj["blocks"] = markBlocks(obj["blocks"])
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// markBlocks puts Marker first, when the blocks have room for it.
func markBlocks(raw []byte) []byte {
	var blocks []json.RawMessage
	if json.Unmarshal(raw, &blocks) != nil || len(blocks) == 0 || len(blocks) >= 50 {
		return raw
	}
	m, _ := json.Marshal(Marker)
	out, err := json.Marshal(append([]json.RawMessage{m}, blocks...))
	if err != nil {
		return raw
	}
	return out
}

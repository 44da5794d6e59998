package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// The sandbox says on every Slack post that it is the sandbox's, in both
// modes: in half-real mode the posts go to a real workspace, where people
// must see it, and in full mode the page shows what Slack would. Nothing
// in the service knows: MarkPosts rewrites what the process sends to Slack
// (the Web API's posts, updates, ephemerals, scheduled messages, file
// comments and views, and posts to response_urls) on its way out, and
// MarkAnswers what the service answers Slack (a slash command's
// acknowledgement, a modal a submission pushes or updates). Text gets
// TextMarker first, blocks Marker first (when Slack's limit leaves room:
// 50 blocks in a message, 100 in a view). Marking twice marks once.
//
// Not marked: what goes over Socket Mode's websocket (acknowledgements
// there), as the transport never sees it.

// Marker is the context block put first in every marked post and view.
var Marker = map[string]any{"type": "context", "elements": []any{
	map[string]any{"type": "mrkdwn", "text": ":test_tube: *smsbridge sandbox*: the phones and the carrier are simulated; no real text is sent"},
}}

// TextMarker starts every marked post's text.
const TextMarker = "[sandbox] "

// Slack's block limits.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
)

// markedMethods are the Web API methods that post or show something.
var markedMethods = map[string]bool{
	"/chat.postMessage": true, "/chat.update": true, "/chat.postEphemeral": true, "/chat.scheduleMessage": true,
	"/files.completeUploadExternal": true,
	"/views.open":                   true, "/views.push": true, "/views.update": true, "/views.publish": true,
}

// responseURLPaths start a response_url's path: Slack's (hooks.slack.com)
// and the simulated workspace's.
var responseURLPaths = []string{"/commands/", "/actions/", "/response/"}

func marksRequest(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Body == nil {
		return false
	}
	for _, p := range responseURLPaths {
		if strings.HasPrefix(r.URL.Path, p) {
			return true
		}
	}
	i := strings.LastIndex(r.URL.Path, "/")
	return i >= 0 && markedMethods[r.URL.Path[i:]]
}

// MarkPosts wraps base so that Slack posts are marked as the sandbox's.
func MarkPosts(base http.RoundTripper) http.RoundTripper { return marker{base} }

type marker struct{ base http.RoundTripper }

func (m marker) RoundTrip(r *http.Request) (*http.Response, error) {
	if !marksRequest(r) {
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
		markForm(form)
		body = []byte(form.Encode())
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return m.base.RoundTrip(r2)
}

func markForm(form url.Values) {
	for _, k := range []string{"text", "initial_comment"} {
		if t := form.Get(k); t != "" {
			form.Set(k, markText(t))
		}
	}
	if b := form.Get("blocks"); b != "" {
		form.Set("blocks", string(markBlocks([]byte(b), maxMessageBlocks)))
	}
	if v := form.Get("view"); v != "" {
		form.Set("view", string(markView([]byte(v))))
	}
}

func markText(t string) string {
	if strings.HasPrefix(t, TextMarker) {
		return t
	}
	return TextMarker + t
}

// markJSON marks a message ({text, blocks}), a view ({view}) or a
// view_submission answer ({response_action, view}).
func markJSON(body []byte) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return body
	}
	var text string
	if json.Unmarshal(obj["text"], &text) == nil && text != "" {
		obj["text"], _ = json.Marshal(markText(text))
	}
	if len(obj["blocks"]) > 0 {
		obj["blocks"] = markBlocks(obj["blocks"], maxMessageBlocks)
	}
	if len(obj["view"]) > 0 {
		obj["view"] = markView(obj["view"])
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// markView marks a view object's blocks.
func markView(raw []byte) []byte {
	var view map[string]json.RawMessage
	if json.Unmarshal(raw, &view) != nil || view == nil || len(view["blocks"]) == 0 {
		return raw
	}
	view["blocks"] = markBlocks(view["blocks"], maxViewBlocks)
	out, err := json.Marshal(view)
	if err != nil {
		return raw
	}
	return out
}

// markBlocks puts Marker first, when the blocks have room for it and do
// not start with it already.
func markBlocks(raw []byte, limit int) []byte {
	var blocks []json.RawMessage
	if json.Unmarshal(raw, &blocks) != nil || len(blocks) == 0 || len(blocks) >= limit {
		return raw
	}
	m, _ := json.Marshal(Marker)
	if isMarker(blocks[0]) {
		return raw
	}
	out, err := json.Marshal(append([]json.RawMessage{m}, blocks...))
	if err != nil {
		return raw
	}
	return out
}

func isMarker(block json.RawMessage) bool {
	var b struct {
		Type     string `json:"type"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	}
	want := Marker["elements"].([]any)[0].(map[string]any)["text"]
	return json.Unmarshal(block, &b) == nil && b.Type == "context" && len(b.Elements) == 1 && b.Elements[0].Text == want
}

// markedAnswers are the service's routes whose answers Slack shows.
var markedAnswers = map[string]bool{"/slack/commands": true, "/slack/interactivity": true}

// MarkAnswers is a reverse proxy to the service at target that marks what
// the service answers Slack on its command and interaction routes; every
// other request and answer passes as it is. A request the service cannot
// take (it is stopping) is answered 502 and logged at info.
func MarkAnswers(target *url.URL, log *slog.Logger) http.Handler {
	return &httputil.ReverseProxy{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Info("sandbox: the service did not answer", "path", r.URL.Path, "err", err)
			w.WriteHeader(http.StatusBadGateway)
		},
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if !markedAnswers[resp.Request.URL.Path] || ct != "application/json" || resp.Body == nil {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if len(bytes.TrimSpace(body)) > 0 {
				body = markJSON(body)
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		},
	}
}

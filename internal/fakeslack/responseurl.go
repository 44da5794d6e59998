package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
)

// serveResponseURL records a post to a response_url. Like Slack, a
// response_url takes at most 5 posts; later ones get 404 used_url.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	full := s.http.URL + r.URL.Path

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := Call{Method: MethodResponseURL, JSON: body, ContentType: r.Header.Get("Content-Type"), Params: map[string][]string{"url": {full}}}
	if f, ok := s.takeFailureLocked(MethodResponseURL); ok {
		call.Failure = &f
		s.calls = append(s.calls, call)
		s.writeFailure(w, f)
		return
	}
	var p struct {
		Text            string          `json:"text"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		call.Error = "invalid_payload"
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	if len(s.responses[full]) >= 5 {
		call.Error = "used_url"
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "used_url"})
		return
	}
	if string(p.Blocks) == "null" {
		p.Blocks = nil
	}
	// A response_url post is held to the same limits as a message.
	if utf8.RuneCountInString(p.Text) > slacklimits.MaxText {
		call.Error = "msg_too_long"
	} else if len(p.Blocks) > 0 {
		if problems := slacklimits.Blocks(p.Blocks); len(problems) > 0 {
			call.Error = "invalid_blocks"
		}
	}
	if call.Error != "" {
		s.calls = append(s.calls, call)
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": call.Error})
		return
	}
	s.calls = append(s.calls, call)
	s.responses[full] = append(s.responses[full], recorded.ResponsePost{
		URL: full, JSON: body, Text: p.Text, ResponseType: p.ResponseType,
		ReplaceOriginal: p.ReplaceOriginal, DeleteOriginal: p.DeleteOriginal, Blocks: p.Blocks,
	})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

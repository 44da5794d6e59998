package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
)

// Uploads: files.getUploadURLExternal, the POST of the bytes to its
// upload_url, and files.completeUploadExternal, which shares the files
// into a channel or thread as one message (added after methods.go's init
// has built the handler table: keep this file's name sorting after
// methods.go).
func init() {
	handlers["files.getUploadURLExternal"] = (*Server).filesGetUploadURLExternal
	handlers["files.completeUploadExternal"] = (*Server).filesCompleteUploadExternal
}

func (s *Server) filesGetUploadURLExternal(req *request) (map[string]any, string) {
	name := req.params.Get("filename")
	length, err := strconv.Atoi(req.params.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, "invalid_arguments"
	}
	id := fmt.Sprintf("F%07d", s.nextLocked())
	s.files[id] = &recorded.Upload{FileID: id, Filename: name, Length: length, AltText: req.params.Get("alt_txt")}
	return map[string]any{"upload_url": s.http.URL + "/upload/" + id, "file_id": id}, ""
}

// serveUpload takes the file bytes POSTed to an upload_url, raw or multipart
// (slack-go sends multipart with the field "file").
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("file")
	content, ctype, err := readUpload(r)

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := Call{Method: MethodUpload, Params: map[string][]string{"file_id": {id}}, ContentType: r.Header.Get("Content-Type")}
	if f, ok := s.takeFailureLocked(MethodUpload); ok {
		call.Failure = &f
		s.calls = append(s.calls, call)
		s.writeFailure(w, f)
		return
	}
	s.calls = append(s.calls, call)
	u, ok := s.files[id]
	if !ok || err != nil {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	u.Content, u.ContentType = content, ctype
	w.Header().Set("Content-Type", "text/plain")
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

func readUpload(r *http.Request) ([]byte, string, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "multipart/") {
		b, err := io.ReadAll(io.LimitReader(r.Body, 100<<20))
		return b, ct, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, "", fmt.Errorf("no file part: %w", err)
		}
		if part.FormName() == "file" {
			b, err := io.ReadAll(io.LimitReader(part, 100<<20))
			return b, part.Header.Get("Content-Type"), err
		}
	}
}

func (s *Server) filesCompleteUploadExternal(req *request) (map[string]any, string) {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(req.params.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, "invalid_arguments"
	}
	channel := req.params.Get("channel_id")
	if channel == "" {
		channel, _, _ = strings.Cut(req.params.Get("channels"), ",")
	}
	if channel != "" {
		if code := s.checkChannelLocked(channel); code != "" {
			return nil, code
		}
	}
	for _, f := range files {
		u, ok := s.files[f.ID]
		if !ok || u.Content == nil {
			return nil, "file_not_found"
		}
		if u.Completed {
			return nil, "file_already_completed"
		}
	}
	out := make([]map[string]any, 0, len(files))
	var shared *recorded.Message
	if channel != "" {
		shared = &recorded.Message{
			Channel: channel, TS: s.newTSLocked(), ThreadTS: req.params.Get("thread_ts"), User: BotUserID,
			Text: req.params.Get("initial_comment"), Blocks: rawOrNil(req.params.Get("blocks")), Params: req.params,
		}
		s.messages = append(s.messages, shared)
	}
	for _, f := range files {
		u := s.files[f.ID]
		u.Completed, u.Title = true, f.Title
		if u.Title == "" {
			u.Title = u.Filename
		}
		u.Channel, u.ThreadTS, u.InitialComment = channel, req.params.Get("thread_ts"), req.params.Get("initial_comment")
		if shared != nil {
			u.MessageTS = shared.TS
			shared.Files = append(shared.Files, u.FileID)
		}
		s.uploads = append(s.uploads, u)
		out = append(out, map[string]any{"id": u.FileID, "title": u.Title})
	}
	return map[string]any{"files": out}, ""
}

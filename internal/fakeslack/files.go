package fakeslack

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// File downloads: messages with files carry url_private_download links on
// files.slack.com, which serve the file only with the bot token as a Bearer
// token (and a login page without it). AddFile serves a file that way from
// a second in-process server and returns its link.

type fileHost struct {
	once  sync.Once
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string]hostedFile
	gets  int
}

type hostedFile struct {
	contentType string
	body        []byte
}

var fileHosts sync.Map // *Server -> *fileHost

func (s *Server) fileHost() *fileHost {
	v, _ := fileHosts.LoadOrStore(s, &fileHost{files: map[string]hostedFile{}})
	h := v.(*fileHost)
	h.once.Do(func() {
		h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.mu.Lock()
			f, ok := h.files[r.URL.Path]
			h.gets++
			h.mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer "+s.token {
				// Slack serves its sign-in page to an unauthenticated download.
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, "<!DOCTYPE html><html><body>Sign in to Slack</body></html>")
				return
			}
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", f.contentType)
			w.Write(f.body)
		}))
		s.t.Cleanup(func() { h.srv.Close(); fileHosts.Delete(s) })
	})
	return h
}

// AddFile hosts a file and returns its url_private_download.
func (s *Server) AddFile(id, name, contentType string, body []byte) string {
	h := s.fileHost()
	p := "/files-pri/" + TeamID + "-" + id + "/download/" + strings.ReplaceAll(name, "/", "_")
	h.mu.Lock()
	h.files[p] = hostedFile{contentType: contentType, body: body}
	h.mu.Unlock()
	return h.srv.URL + p
}

// FileDownloads counts download requests to hosted files.
func (s *Server) FileDownloads() int {
	h := s.fileHost()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gets
}

// FilesAPIURL is an API base on the file host. slack-go sends the token
// only to https Slack hosts or its own API host, so the client that
// downloads hosted files in tests uses this as its API URL.
func (s *Server) FilesAPIURL() string { return s.fileHost().srv.URL + "/api/" }

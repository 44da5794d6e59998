// Package filehost is Slack's file host (files.slack.com) as the fake
// Slack (internal/fakeslack) plays it: messages with files carry
// url_private_download links, which serve the file only with the bot
// token as a Bearer token and Slack's sign-in page without it. A Host is
// a second in-process server beside the fake's Web API.
//
// It imports nothing of smsbridge (internal/layout checks it).
package filehost

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Host serves hosted files on a loopback port until Close.
type Host struct {
	srv   *httptest.Server
	token string

	mu    sync.Mutex
	files map[string]file // by path
	gets  int
}

type file struct {
	contentType string
	body        []byte
}

// Start serves files to requests that carry token as a Bearer token.
func Start(token string) *Host {
	h := &Host{token: token, files: map[string]file{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

func (h *Host) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	f, ok := h.files[r.URL.Path]
	h.gets++
	h.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+h.token {
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
}

// Add hosts body at path (which starts with "/") and returns its URL.
func (h *Host) Add(path, contentType string, body []byte) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[path] = file{contentType: contentType, body: body}
	return h.srv.URL + path
}

// Downloads counts the requests for hosted files, served or not.
func (h *Host) Downloads() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gets
}

// URL is the host's base URL, without a trailing slash.
func (h *Host) URL() string { return h.srv.URL }

// Close stops the host.
func (h *Host) Close() { h.srv.Close() }

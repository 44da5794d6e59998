package fakeslack

import (
	"strings"
	"sync"

	"github.com/smsbridge/smsbridge/internal/fakeslack/filehost"
)

// File downloads: messages with files carry url_private_download links on
// files.slack.com, which serve the file only with the bot token as a Bearer
// token (and a login page without it). AddFile serves a file that way from
// a second in-process server (package filehost) and returns its link.

// lazyHost is a Server's file host, started at its first use.
type lazyHost struct {
	once sync.Once
	host *filehost.Host
}

func (s *Server) fileHost() *filehost.Host {
	l := &s.hosted
	l.once.Do(func() {
		l.host = filehost.Start(s.token)
		s.t.Cleanup(l.host.Close)
	})
	return l.host
}

// AddFile hosts a file and returns its url_private_download.
func (s *Server) AddFile(id, name, contentType string, body []byte) string {
	p := "/files-pri/" + TeamID + "-" + id + "/download/" + strings.ReplaceAll(name, "/", "_")
	return s.fileHost().Add(p, contentType, body)
}

// FileDownloads counts download requests to hosted files.
func (s *Server) FileDownloads() int { return s.fileHost().Downloads() }

// FilesAPIURL is an API base on the file host. slack-go sends the token
// only to https Slack hosts or its own API host, so the client that
// downloads hosted files in tests uses this as its API URL.
func (s *Server) FilesAPIURL() string { return s.fileHost().URL() + "/api/" }

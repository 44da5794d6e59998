package faketelnyx

import (
	"net/http"
	"strings"
)

type media struct {
	contentType string
	body        []byte
}

// AddMedia serves body at URL()+"/media/"+name, as Telnyx's temporary
// public media URLs do (no auth), and returns that URL. Media requests are
// recorded with Route "MEDIA" and are not checked against the spec.
func (s *Server) AddMedia(name, contentType string, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.media == nil {
		s.media = map[string]media{}
	}
	s.media[name] = media{contentType: contentType, body: body}
	return s.URL + "/media/" + name
}

func (s *Server) serveMedia(w http.ResponseWriter, r Request) {
	name := strings.TrimPrefix(r.Path, "/media/")
	s.mu.Lock()
	m, ok := s.media[name]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	_, _ = w.Write(m.body)
}

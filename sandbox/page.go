package sandbox

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// web is the page: plain HTML, CSS and one script, no build step, nothing
// fetched from elsewhere.
//
//go:embed web
var web embed.FS

// requestTimeout bounds what one press on the page may take.
const requestTimeout = 20 * time.Second

// Handler serves the page, its live updates (GET /events, server-sent
// events) and what the page does (POST /api/…).
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(web, "web")
	mux.Handle("GET /", http.FileServerFS(sub))
	mux.HandleFunc("GET /events", s.hub.serve)
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.State()) })
	mux.HandleFunc("GET /files/{id}", s.serveFile)
	s.handle(mux, "/api/phone", func(ctx context.Context, r *pageRequest) error { return s.AddPhone(r.Number) })
	s.handle(mux, "/api/phone/send", func(ctx context.Context, r *pageRequest) error {
		pics, err := r.pictures()
		if err != nil {
			return err
		}
		return s.Send(ctx, PhoneText{From: r.From, To: r.To, CC: r.CC, Text: r.Text, Pictures: pics})
	})
	s.handle(mux, "/api/phone/fail", func(ctx context.Context, r *pageRequest) error {
		s.FailDelivery(r.Number, r.Fail)
		return nil
	})
	s.handle(mux, "/api/slack/say", func(ctx context.Context, r *pageRequest) error {
		if strings.HasPrefix(strings.TrimSpace(r.Text), "/sms") {
			return s.Command(ctx, You, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.Text), "/sms")))
		}
		return s.Say(ctx, r.userOr(You), r.ThreadTS, r.Text)
	})
	s.handle(mux, "/api/slack/action", func(ctx context.Context, r *pageRequest) error {
		r.ActionRequest.User = r.userOr(You)
		return s.Act(ctx, r.ActionRequest)
	})
	s.handle(mux, "/api/slack/submit", func(ctx context.Context, r *pageRequest) error {
		return s.Submit(ctx, r.userOr(You), r.ViewID, r.Values)
	})
	s.handle(mux, "/api/slack/close", func(ctx context.Context, r *pageRequest) error {
		s.CloseView(r.ViewID)
		return nil
	})
	s.handle(mux, "/api/slack/home", func(ctx context.Context, r *pageRequest) error { return s.OpenHome(ctx, You) })
	return mux
}

// pageRequest is the body of every POST /api/… the page sends.
type pageRequest struct {
	ActionRequest
	Number   string   `json:"number"`
	Fail     bool     `json:"fail"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	CC       []string `json:"cc"`
	Text     string   `json:"text"`
	ThreadTS string   `json:"thread_ts"`
	Pictures []struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Data        string `json:"data"` // base64
	} `json:"pictures"`
}

func (r *pageRequest) userOr(def string) string {
	if r.User == Teammate {
		return Teammate
	}
	return def
}

func (r *pageRequest) pictures() ([]Picture, error) {
	var out []Picture
	for _, p := range r.Pictures {
		b, err := base64.StdEncoding.DecodeString(p.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, Picture{Name: p.Name, ContentType: p.ContentType, Body: b})
	}
	return out, nil
}

// handle registers a POST route that answers {"ok":true} or
// {"ok":false,"error":"…"} in words; the Slack pane needs the workspace.
func (s *Sandbox) handle(mux *http.ServeMux, path string, f func(context.Context, *pageRequest) error) {
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var req pageRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "the page sent something unreadable: " + err.Error()})
			return
		}
		if strings.HasPrefix(path, "/api/slack/") && s.Slack == nil {
			writeJSON(w, http.StatusConflict, map[string]any{"ok": false, "error": "this sandbox runs against the real Slack: use Slack itself"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		if err := f(ctx, &req); err != nil {
			s.log.Info("sandbox: page request refused", "path", path, "err", err)
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
}

// serveFile serves a file the bot uploaded into the workspace.
func (s *Sandbox) serveFile(w http.ResponseWriter, r *http.Request) {
	if s.Slack == nil {
		http.NotFound(w, r)
		return
	}
	for _, u := range s.Slack.Uploads() {
		if u.FileID == r.PathValue("id") {
			ct := u.ContentType
			if ct == "" || ct == "application/octet-stream" {
				ct = http.DetectContentType(u.Content)
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write(u.Content)
			return
		}
	}
	http.NotFound(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

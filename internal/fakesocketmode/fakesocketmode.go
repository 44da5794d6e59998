// Package fakesocketmode is an in-process fake of Slack's Socket Mode for
// tests: apps.connections.open and the websocket it names, speaking
// Slack's envelope format. It stands apart from the fake Web API
// (internal/fakeslack), on its own address, as Socket Mode is apart from
// the Web API at Slack.
//
// It imports fakeslack only for the fake workspace's ids (the hello
// names fakeslack.AppID).
package fakesocketmode

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
)

// SocketMode is an in-process fake of Slack's Socket Mode: an
// apps.connections.open method that accepts any app-level token (xapp-…)
// and answers with the URL of its websocket, and that websocket, which
// speaks Slack's envelope format. On connect it sends hello; tests push
// events_api, slash_commands and interactive envelopes (or raw frames) and
// read back the acks the client sent.
//
//	sm := fakesocketmode.NewSocketMode(t)
//	api := sm.Client() // slack-go client with an app token, pointed at the fake
//	// run the Socket Mode client with api ...
//	sm.WaitConnected(5 * time.Second)
//	id := sm.SendEventsAPI(body, 0)
//	ack := sm.WaitAck(id, 5*time.Second)
type SocketMode struct {
	t        testing.TB
	http     *httptest.Server
	upgrader websocket.Upgrader

	mu      sync.Mutex
	changed chan struct{}
	conn    *websocket.Conn
	wmu     sync.Mutex // gorilla allows one writer at a time
	seq     int
	opens   int
	acks    map[string]SocketAck
	order   []string
}

// SocketAck is an acknowledgement the client sent for an envelope.
type SocketAck struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried none
}

// AppToken is an app-level token the fake accepts.
const AppToken = "xapp-1-fake-socket-token"

// NewSocketMode starts the fake; it is closed when the test ends.
func NewSocketMode(t testing.TB) *SocketMode {
	t.Helper()
	s := &SocketMode{t: t, changed: make(chan struct{}), acks: map[string]SocketAck{}}
	// slack-go dials with Origin: https://api.slack.com, as Slack expects.
	s.upgrader.CheckOrigin = func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }
	mux := http.NewServeMux()
	mux.HandleFunc("/api/apps.connections.open", s.serveOpen)
	mux.HandleFunc("/link", s.serveSocket)
	s.http = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.mu.Unlock()
		s.http.Close()
	})
	return s
}

// URL is the Web API base for slack.OptionAPIURL.
func (s *SocketMode) URL() string { return s.http.URL + "/api/" }

// Client is a slack-go client with AppToken, pointed at the fake.
func (s *SocketMode) Client() *slack.Client {
	return slack.New("xoxb-unused", slack.OptionAppLevelToken(AppToken), slack.OptionAPIURL(s.URL()))
}

// Opens counts apps.connections.open calls.
func (s *SocketMode) Opens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

func (s *SocketMode) serveOpen(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer xapp-") {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	s.mu.Lock()
	s.opens++
	s.mu.Unlock()
	wsURL := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/link?ticket=fake"
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "url": wsURL})
}

func (s *SocketMode) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.conn != nil {
		s.conn.Close()
	}
	s.conn = conn
	s.notifyLocked()
	s.mu.Unlock()

	done := make(chan struct{})
	defer close(done)
	// Slack pings; the client treats a silent server as dead.
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				s.wmu.Lock()
				err := conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
				s.wmu.Unlock()
				if err != nil {
					return
				}
			}
		}
	}()
	s.write(conn, map[string]any{
		"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": fakeslack.AppID},
	})
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		if _, dup := s.acks[ack.EnvelopeID]; !dup {
			s.order = append(s.order, ack.EnvelopeID)
		}
		s.acks[ack.EnvelopeID] = SocketAck{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload}
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *SocketMode) write(conn *websocket.Conn, v any) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return conn.WriteJSON(v)
}

func (s *SocketMode) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitConnected waits until a client holds the websocket.
func (s *SocketMode) WaitConnected(timeout time.Duration) {
	s.t.Helper()
	if !s.await(func() bool { return s.conn != nil }, timeout) {
		s.t.Fatalf("fakeslack: no socket mode connection within %s", timeout)
	}
}

func (s *SocketMode) await(cond func() bool, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		}
	}
}

// send writes an envelope to the connected client and returns its id.
func (s *SocketMode) send(typ string, payload any, extra map[string]any) string {
	s.t.Helper()
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("env-%04d-%s", s.seq, typ)
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		s.t.Fatal("fakeslack: no socket mode client connected")
	}
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api"}
	for k, v := range extra {
		env[k] = v
	}
	if err := s.write(conn, env); err != nil {
		s.t.Fatalf("fakeslack: write envelope: %v", err)
	}
	return id
}

// SendEventsAPI sends an events_api envelope carrying body (an Events API
// callback, as Slack would POST it); retry is its retry_attempt.
func (s *SocketMode) SendEventsAPI(body json.RawMessage, retry int) string {
	s.t.Helper()
	extra := map[string]any{"retry_attempt": retry}
	if retry > 0 {
		extra["retry_reason"] = "timeout"
	}
	return s.send("events_api", body, extra)
}

// SendSlashCommand sends a slash_commands envelope.
func (s *SocketMode) SendSlashCommand(cmd slack.SlashCommand) string {
	s.t.Helper()
	return s.send("slash_commands", cmd, nil)
}

// SendInteractive sends an interactive envelope (a block action, a view
// submission); payload is the interaction callback JSON.
func (s *SocketMode) SendInteractive(payload json.RawMessage) string {
	s.t.Helper()
	return s.send("interactive", payload, nil)
}

// SendRaw writes a frame as is (for envelopes that do not parse).
func (s *SocketMode) SendRaw(frame []byte) {
	s.t.Helper()
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		s.t.Fatal("fakeslack: no socket mode client connected")
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
		s.t.Fatalf("fakeslack: write frame: %v", err)
	}
}

// Ack returns the ack of envelope id, if the client sent one.
func (s *SocketMode) Ack(id string) (SocketAck, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acks[id]
	return a, ok
}

// Acks lists the acked envelope ids in the order first acked.
func (s *SocketMode) Acks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

// WaitAck waits for the ack of envelope id and fails the test without one.
func (s *SocketMode) WaitAck(id string, timeout time.Duration) SocketAck {
	s.t.Helper()
	if !s.await(func() bool { _, ok := s.acks[id]; return ok }, timeout) {
		s.t.Fatalf("fakeslack: envelope %s not acknowledged within %s", id, timeout)
	}
	a, _ := s.Ack(id)
	return a
}

// AwaitAck is WaitAck without failing: it reports whether id was acked.
func (s *SocketMode) AwaitAck(id string, timeout time.Duration) bool {
	return s.await(func() bool { _, ok := s.acks[id]; return ok }, timeout)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

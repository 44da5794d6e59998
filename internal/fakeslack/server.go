// Package fakeslack is an in-process fake of the Slack Web API for tests.
//
// It speaks Slack's wire format as slack-go sends it (form-encoded bodies with
// the token in the form, JSON bodies with a Bearer token) and answers with
// Slack's {"ok":true,...} envelopes and real field names, so production code
// is tested through the real slack-go client:
//
//	srv := fakeslack.New(t)
//	client := slack.New(srv.Token(), slack.OptionAPIURL(srv.URL()))
//	// ... exercise code ...
//	msgs := srv.Messages("C123")
//
// Everything it is sent is recorded (Calls, Messages, ThreadReplies, Message,
// Ephemerals, Uploads, Reactions, Views, HomeView, ResponsePosts, and the
// calls refused for Slack's rate limits, RateLimited) and failures can be
// injected per method:
//
//	srv.FailNext("chat.postMessage", 2, fakeslack.HTTPError(500))
//	srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(3)) // 429, Retry-After: 3
//	srv.FailNext("chat.postMessage", 1, fakeslack.SlackError("channel_not_found"))
//	srv.FailNext("reactions.add", 1, fakeslack.Disconnect())     // network error
//
// Methods: auth.test, chat.postMessage, chat.update, chat.postEphemeral,
// chat.getPermalink, chat.scheduleMessage, reactions.add/remove, files.getUploadURLExternal, the
// upload POST, files.completeUploadExternal, users.info (AddUser),
// conversations.info (AddChannel), conversations.open (the bot's DM with
// one known user; a D channel never opened is channel_not_found),
// conversations.list, views.publish/open/push/update, and response_url
// posts (ResponseURL). Message metadata on chat.postMessage and
// chat.update is checked for its shape and recorded (Message.Meta);
// chat.scheduleMessage refuses metadata (Slack drops it from scheduled
// messages). Async tests use WaitFor. It is safe for concurrent use.
//
// The sandbox (package sandbox) runs the same fake outside a test as its
// simulated workspace: Start (a loopback port, closed by Close) and
// Changed, which is closed at every recorded request.
//
// Like Slack it takes about one post a second per channel, with no burst,
// and chat.update and reactions by their tiers (package slackrate); a test
// that needs more says so with WithPostRate, WithMethodRate or
// WithoutRateLimits.
//
// Beside it: what it records are values of package recorded (Message,
// View, Upload, ResponsePost); what it refuses is decided by package
// slacklimits (Block Kit, text length, null fields, metadata), which tests
// use too, and when by package slackrate (the rate limits); App Home and
// modals are kept by package views, files.slack.com is package filehost,
// and Socket Mode is package fakesocketmode. The server here is their
// assembly: the wire (decoding, tokens, failures injected), chat,
// reactions, uploads (methods_files.go), response_url posts
// (responseurl.go) and what a test reads back (records.go). It imports
// nothing else of smsbridge (internal/layout checks it).
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/fakeslack/views"
	"github.com/smsbridge/smsbridge/internal/slackrate"
)

// Identity of the fake workspace and of the bot the token belongs to.
const (
	DefaultToken = "xoxb-fake-0000-token"
	TeamID       = "T0FAKE"
	TeamName     = "Fake Workspace"
	BotUserID    = "U0BOT"
	BotID        = "B0BOT"
	AppID        = "A0FAKE"
	WorkspaceURL = "https://fake.slack.com/"
)

// Pseudo methods for FailNext and Calls that are not Web API methods.
const (
	MethodUpload      = "upload"       // the POST to a files.getUploadURLExternal upload_url
	MethodResponseURL = "response_url" // a POST to a response_url
)

// tb is what the fake needs of a test: testing.TB in tests, standalone
// when a program runs the fake (the sandbox, Start).
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Server is a fake Slack Web API. Create it with New (tests) or Start.
type Server struct {
	t        tb
	http     *httptest.Server
	token    string
	teamName string
	alone    *standalone // set by Start: what Close runs
	hosted   lazyHost    // files.slack.com (files.go)

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every recorded request
	seq       int64         // ts and id sequence
	calls     []Call
	messages  []*recorded.Message // channel messages and thread replies, in ts order
	ephemeral []recorded.Message
	files     map[string]*recorded.Upload // by file id, pending and completed
	uploads   []*recorded.Upload          // completed, in order
	reactions map[string][]string
	users     map[string]slack.User
	channels  map[string]slack.Channel
	views     *views.Store // App Home and modals
	responses map[string][]recorded.ResponsePost
	failures  map[string][]Failure

	rates   *slackrate.Limits // Slack's rate limits (ratelimit.go)
	limited []Call            // refused for their rate
}

// New starts a fake Slack server that is closed when the test ends. It
// holds callers to Slack's rate limits (ratelimit.go) unless opts say
// otherwise.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return newServer(t, TeamName, opts...)
}

// Start runs the fake outside a test, on a loopback port, as the sandbox
// does (a simulated workspace named teamName); Close stops it. A condition
// that would fail a test panics instead.
func Start(teamName string) *Server {
	alone := &standalone{}
	s := newServer(alone, teamName)
	s.alone = alone
	return s
}

// Close stops a fake made by Start (a test's fake closes by itself).
func (s *Server) Close() {
	if s.alone != nil {
		s.alone.close()
	}
}

// Changed is closed at the next request the fake records (then call it
// again): a program watches the fake with it instead of polling.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// WorkspaceName is the workspace's name, as auth.test answers it.
func (s *Server) WorkspaceName() string { return s.teamName }

func newServer(t tb, teamName string, opts ...Option) *Server {
	s := &Server{
		t:         t,
		token:     DefaultToken,
		teamName:  teamName,
		changed:   make(chan struct{}),
		files:     map[string]*recorded.Upload{},
		reactions: map[string][]string{},
		users:     map[string]slack.User{},
		channels:  map[string]slack.Channel{},
		responses: map[string][]recorded.ResponsePost{},
		failures:  map[string][]Failure{},
		rates:     slackrate.New(),
	}
	s.views = views.New(s.nextLocked, TeamID, AppID, BotID)
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.serveAPI)
	mux.HandleFunc("POST /upload/{file}", s.serveUpload)
	mux.HandleFunc("POST /response/{id}", s.serveResponseURL)
	s.http = httptest.NewServer(mux)
	t.Cleanup(s.http.Close)
	return s
}

// URL is the Web API base, ending in "/api/", for slack.OptionAPIURL.
func (s *Server) URL() string { return s.http.URL + "/api/" }

// Token is the bot token the fake accepts; any other gets invalid_auth.
func (s *Server) Token() string { return s.token }

// Client returns a slack-go client for this server, authenticated with Token.
func (s *Server) Client(opts ...slack.Option) *slack.Client {
	return slack.New(s.token, append([]slack.Option{slack.OptionAPIURL(s.URL())}, opts...)...)
}

// ResponseURL mints a new response_url on the fake, as Slack puts in slash
// command and interaction payloads. Posts to it are in ResponsePosts.
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%s/response/R%06d", s.http.URL, s.nextLocked())
}

// nextLocked advances the sequence used for timestamps and ids.
func (s *Server) nextLocked() int64 {
	s.seq++
	return s.seq
}

// newTSLocked returns a message ts, unique and increasing:
// "1700000000.000100", "1700000000.000200", ...
func (s *Server) newTSLocked() string {
	n := s.nextLocked() * 100
	return fmt.Sprintf("%d.%06d", 1700000000+n/1000000, n%1000000)
}

// Call is one request the fake received, decoded.
type Call struct {
	Method string
	// Params holds the form fields (or query) of a form request, and the
	// top-level fields of a JSON request (strings as is, others as JSON text).
	Params url.Values
	// JSON is the raw body of a JSON request.
	JSON json.RawMessage
	// ContentType of the request.
	ContentType string
	// Failure is the injected failure this call got, if any.
	Failure *Failure
	// Error is the Slack error code the fake answered with, if any.
	Error string
}

// Calls returns the recorded calls of method (all calls if method is ""),
// including failed ones, in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor polls cond until it holds, and fails the test if it does not
// within timeout. cond may call the Server's accessors.
func (s *Server) WaitFor(cond func() bool, timeout time.Duration) {
	s.t.Helper()
	if !s.Await(cond, timeout) {
		s.t.Fatalf("fakeslack: condition not met within %s", timeout)
	}
}

// Await is WaitFor without failing the test: it reports whether cond held
// within timeout.
func (s *Server) Await(cond func() bool, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-changed:
		case <-time.After(20 * time.Millisecond): // in case cond depends on more than the fake
		case <-deadline.C:
			return cond()
		}
	}
}

// notifyLocked wakes WaitFor.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// request is a decoded Web API request.
type request struct {
	method      string
	params      url.Values
	raw         json.RawMessage
	contentType string
	token       string
}

func decodeRequest(r *http.Request, method string) (*request, error) {
	req := &request{method: method, params: url.Values{}, contentType: r.Header.Get("Content-Type")}
	for k, v := range r.URL.Query() {
		req.params[k] = v
	}
	ct, _, _ := mime.ParseMediaType(req.contentType)
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, err
	}
	switch {
	case ct == "application/json":
		req.raw = body
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return nil, fmt.Errorf("invalid JSON body: %w", err)
		}
		for k, v := range top {
			var str string
			if json.Unmarshal(v, &str) == nil {
				req.params.Set(k, str)
			} else {
				req.params.Set(k, string(v))
			}
		}
	case ct == "application/x-www-form-urlencoded" || len(body) > 0:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("invalid form body: %w", err)
		}
		for k, v := range form {
			req.params[k] = v
		}
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		req.token = strings.TrimPrefix(auth, "Bearer ")
	} else {
		req.token = req.params.Get("token")
	}
	// The token is checked, not recorded: tests have no need to see it.
	req.params.Del("token")
	return req, nil
}

// serveAPI is the entry for every Web API method.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	req, err := decodeRequest(r, method)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data", "detail": err.Error()})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	call := Call{Method: method, Params: req.params, JSON: req.raw, ContentType: req.contentType}

	if f, ok := s.takeFailureLocked(method); ok {
		call.Failure = &f
		call.Error = f.Error
		s.calls = append(s.calls, call)
		s.writeFailure(w, f)
		return
	}
	if secs, over := s.overRateLocked(call, req); over {
		w.Header().Set("Retry-After", secs)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}

	var resp map[string]any
	var code string
	switch {
	case req.token == "":
		code = "not_authed"
	case req.token != s.token:
		code = "invalid_auth"
	default:
		h, ok := handlers[method]
		if !ok {
			code = "unknown_method"
			break
		}
		resp, code = h(s, req)
	}
	call.Error = code
	s.calls = append(s.calls, call)
	if code != "" {
		body := map[string]any{"ok": false, "error": code}
		for k, v := range resp { // extra detail, e.g. response_metadata
			body[k] = v
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	if resp == nil {
		resp = map[string]any{}
	}
	resp["ok"] = true
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// Package faketelnyx is an in-process fake of the Telnyx Messaging API v2
// for tests. It checks every request against the vendored OpenAPI 3.1 spec
// (telnyx/testdata/telnyx-messaging.openapi.yaml, through package
// telnyxspec) and its own answers too, records every request, and lets a
// test script answers per route.
//
//	srv := faketelnyx.New(t)                 // closed by t.Cleanup
//	c := telnyx.NewClient("KEY", telnyx.WithBaseURL(srv.BaseURL))
//	srv.Enqueue("POST /messages", faketelnyx.Error(422, "40300", "Blocked due to STOP message", ""))
//	_, err := c.SendMessage(ctx, req)        // gets the scripted 422
//	reqs := srv.RequestsTo("POST /messages") // method, path, query, body, headers
//
// Sends from one sender faster than Telnyx takes them are answered 429
// (ratelimit.go over package telnyxrate: defaults by kind of sender,
// WithSenderRate, RateLimited).
//
// With WithCarrier it is also the carrier (carrier.go, over package
// carrier): texts from phones as signed webhooks (Receive), delivery
// reports after each send, failed delivery to chosen numbers, and STOP
// blocking a phone at the carrier (40300). The sandbox runs it outside a
// test with Start.
//
// Routes are named "METHOD /path" with the spec's path template without the
// /v2 prefix: "GET /messages/{id}", "POST /messaging_numbers_bulk_updates".
// A request the spec rejects is answered 422 and reported: by default
// through t.Errorf, so the test fails; Violations lists them all.
package faketelnyx

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/smsbridge/smsbridge/internal/telnyxrate"
	"github.com/smsbridge/smsbridge/internal/telnyxspec"
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // as received, e.g. "/v2/messages/abc"
	// Route is the matched spec route ("GET /messages/{id}"), "MEDIA" for
	// media downloads, "" when no route matched.
	Route  string
	Params map[string]string // path parameters, e.g. {"id": "abc"}
	Query  url.Values
	Body   []byte
	Header http.Header
}

// JSON decodes the request body into v.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// BodyMap decodes the request body as a JSON object (nil if it is not one).
func (r Request) BodyMap() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// Response is a scripted answer.
type Response struct {
	Status int // 0 means 200
	Header http.Header
	// Body is sent as JSON; a []byte or string is sent as is.
	Body any
	// SkipValidation sends the answer without checking it against the spec
	// (for deliberately broken answers). 5xx answers, which the spec does
	// not describe, are never checked.
	SkipValidation bool
	// Hang, when set, makes the fake hold the request until the channel is
	// closed or the client gives up (for timeouts after the request was
	// written). Released, it sends Status and Body, or the route's default
	// answer when both are zero.
	Hang <-chan struct{}
}

// Handler computes an answer. It runs with the server's state unlocked and
// may call the server's methods.
type Handler func(r Request) Response

// Violation is a spec violation by a request or by the fake's own answer.
type Violation struct {
	Kind     string // "request" or "response"
	Method   string
	Path     string
	Messages []string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s %s violates the spec: %s", v.Kind, v.Method, v.Path, strings.Join(v.Messages, "; "))
}

// Option configures a Server.
type Option func(*Server)

// WithViolationHook replaces what happens on a spec violation (default:
// t.Errorf). Pass a no-op to inspect Violations yourself.
func WithViolationHook(f func(Violation)) Option {
	return func(s *Server) { s.onViolation = f }
}

// Server is the fake. Use BaseURL as the client's base URL.
type Server struct {
	*httptest.Server
	// BaseURL is URL + "/v2", the Messaging API base.
	BaseURL string

	spec        *telnyxspec.Model
	onViolation func(Violation)

	mu         sync.Mutex
	requests   []Request
	violations []Violation
	queued     map[string][]Response
	handlers   map[string]Handler
	state      *state
	media      map[string]media
	// Per-sender throughput (ratelimit.go).
	rates   *telnyxrate.Limits
	limited []Request
	// The carrier (carrier.go), with WithCarrier.
	carrier *simulation
	changed chan struct{} // closed and replaced on every request and delivery
}

// New starts a fake on a loopback port, closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := newServer(func(v Violation) { t.Errorf("faketelnyx: %s", v) }, opts)
	if err != nil {
		t.Fatalf("faketelnyx: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start runs the fake outside a test (the sandbox's simulated Telnyx), on
// a loopback port, until Close. Spec violations are answered 422 and kept
// in Violations (WithViolationHook to see them as they happen).
func Start(opts ...Option) (*Server, error) {
	return newServer(nil, opts)
}

// Changed is closed at the next request or delivery report (then call it
// again), so a program can watch the fake instead of polling.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func newServer(onViolation func(Violation), opts []Option) (*Server, error) {
	spec, err := telnyxspec.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{
		changed:  make(chan struct{}),
		spec:     spec,
		queued:   map[string][]Response{},
		handlers: map[string]Handler{},
		state:    newState(),
		rates:    telnyxrate.New(),
	}
	s.onViolation = onViolation
	for _, o := range opts {
		o(s)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.BaseURL = s.URL + "/v2"
	return s, nil
}

// Enqueue scripts one-shot answers for route, used in order before the
// route's handler or default.
func (s *Server) Enqueue(route string, rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queued[route] = append(s.queued[route], rs...)
}

// Handle replaces the answer of route (after queued answers) for the rest
// of the test; nil restores the default.
func (s *Server) Handle(route string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, route)
		return
	}
	s.handlers[route] = h
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests to route ("POST /messages").
func (s *Server) RequestsTo(route string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// Violations returns every spec violation seen so far.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// Error builds a Telnyx error answer: {"errors":[{"code","title","detail"}]}.
func Error(status int, code, title, detail string) Response {
	e := map[string]any{"code": code, "title": title}
	if detail != "" {
		e["detail"] = detail
	}
	return Response{Status: status, Body: map[string]any{"errors": []any{e}}}
}

// BareError builds an error answer in the form a few operations declare
// (DELETE /messages/{id} 403/404, GET /messaging_optouts 400/401): one
// messaging_Error object, not wrapped in "errors".
func BareError(status int, code, title, detail string) Response {
	e := map[string]any{"code": code, "title": title}
	if detail != "" {
		e["detail"] = detail
	}
	return Response{Status: status, Body: e}
}

// JSON builds a 200 answer with body.
func JSON(body any) Response { return Response{Status: http.StatusOK, Body: body} }

func (s *Server) violation(v Violation) {
	s.mu.Lock()
	s.violations = append(s.violations, v)
	hook := s.onViolation
	s.mu.Unlock()
	if hook != nil {
		hook(v)
	}
}

func (s *Server) serve(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(hr.Body)
	req := Request{
		Method: hr.Method,
		Path:   hr.URL.Path,
		Query:  hr.URL.Query(),
		Body:   body,
		Header: hr.Header.Clone(),
	}
	if strings.HasPrefix(hr.URL.Path, "/media/") {
		req.Route = "MEDIA"
		s.record(req)
		s.serveMedia(w, req)
		return
	}
	rt, params, ok := s.spec.Match(hr.Method, hr.URL.Path)
	if ok {
		req.Route = rt.Key()
		req.Params = params
	}
	s.record(req)
	if !s.requestValid(w, hr, req, ok) {
		return
	}
	resp, ok := s.respond(hr, req)
	if !ok {
		return
	}
	s.write(w, hr, body, resp)
}

// requestValid checks the request against the spec; one it rejects (or
// that matched no route) is reported and answered 422.
func (s *Server) requestValid(w http.ResponseWriter, hr *http.Request, req Request, matched bool) bool {
	msgs := s.spec.CheckRequest(hr, req.Body, req.Route)
	if matched && len(msgs) == 0 {
		return true
	}
	if !matched {
		msgs = append(msgs, "no such operation in the spec")
	}
	s.violation(Violation{Kind: "request", Method: hr.Method, Path: hr.URL.Path, Messages: msgs})
	writeJSON(w, http.StatusUnprocessableEntity, nil, specErrors(msgs))
	return false
}

// respond decides the answer: over the sender's rate, refused by the
// carrier, or the route's (queued, handled, default), held while it
// hangs. false means the client gave up while it hung: nothing is written.
func (s *Server) respond(hr *http.Request, req Request) (Response, bool) {
	resp, refused := s.overRate(req)
	if !refused {
		resp, refused = s.carrierRefuses(req)
	}
	if !refused {
		resp = s.answer(req)
	}
	if resp.Hang == nil {
		return resp, true
	}
	select {
	case <-resp.Hang:
	case <-hr.Context().Done():
		return Response{}, false
	}
	if hr.Context().Err() != nil {
		return Response{}, false
	}
	if resp.Status == 0 && resp.Body == nil {
		resp = s.defaultAnswer(req)
	}
	return resp, true
}

// encode turns an answer's Body into the bytes sent: JSON, or as is for a
// []byte or string.
func encode(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case string:
		return []byte(b), nil
	}
	return json.Marshal(body)
}

// write sends resp, checking it against the spec first unless it is a 5xx
// or asks not to be (a violation is reported; the answer still goes out).
func (s *Server) write(w http.ResponseWriter, hr *http.Request, body []byte, resp Response) {
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	raw, err := encode(resp.Body)
	if err != nil {
		http.Error(w, "faketelnyx: cannot encode answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	header := resp.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" && raw != nil {
		header.Set("Content-Type", "application/json")
	}
	if !resp.SkipValidation && status < 500 {
		if problems, ok := s.spec.CheckResponse(hr, body, status, header, raw); !ok {
			s.violation(Violation{Kind: "response", Method: hr.Method, Path: hr.URL.Path, Messages: problems})
		}
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.notifyLocked()
}

// answer picks the queued answer, the handler's, or the default.
func (s *Server) answer(r Request) Response {
	s.mu.Lock()
	if q := s.queued[r.Route]; len(q) > 0 {
		s.queued[r.Route] = q[1:]
		s.mu.Unlock()
		return q[0]
	}
	h := s.handlers[r.Route]
	s.mu.Unlock()
	if h != nil {
		return h(r)
	}
	return s.defaultAnswer(r)
}

func specErrors(msgs []string) map[string]any {
	var errs []any
	for _, m := range msgs {
		errs = append(errs, map[string]any{"code": "10015", "title": "Request does not match the spec", "detail": m})
	}
	return map[string]any{"errors": errs}
}

func writeJSON(w http.ResponseWriter, status int, h http.Header, v any) {
	for k, vs := range h {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

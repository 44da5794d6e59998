package slackin

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/slack-go/slack/slackevents"
)

// EventMeta is what Slack says about a delivery besides the event itself.
type EventMeta struct {
	EventID   string
	EventTime int
	// RetryNum is X-Slack-Retry-Num (0 for a first delivery), or Socket
	// Mode's retry_attempt.
	RetryNum int
	Raw      []byte // the whole outer body, for durable storage
}

// EventFunc handles one inner event. It must be quick: durable work commits
// the event to the store and returns; Slack is acknowledged only after it
// returns nil. An error answers 500 (HTTP) so Slack redelivers.
type EventFunc func(ctx context.Context, ev *slackevents.EventsAPIEvent, meta EventMeta) error

// Events dispatches Events API callbacks by inner event type
// ("message", "app_home_opened").
type Events struct {
	mu       sync.RWMutex
	handlers map[string]EventFunc
	Log      *slog.Logger
	// Workspace, when set, drops callbacks from any other workspace or app.
	Workspace *Workspace
}

// NewEvents makes an empty dispatcher.
func NewEvents(log *slog.Logger) *Events {
	return &Events{handlers: map[string]EventFunc{}, Log: log}
}

// On registers fn for inner events of type typ.
func (e *Events) On(typ string, fn EventFunc) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.handlers[typ] = fn
}

// ServeHTTP handles POST /slack/events (after signature verification).
func (e *Events) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "could not read body", http.StatusBadRequest)
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var v slackevents.EventsAPIURLVerificationEvent
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, "malformed url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, v.Challenge)
		return
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if err := e.Handle(r.Context(), &ev, body, retry); err != nil {
		http.Error(w, "could not store event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Handle dispatches a parsed callback. Unknown inner types are acknowledged.
func (e *Events) Handle(ctx context.Context, ev *slackevents.EventsAPIEvent, raw []byte, retryNum int) error {
	if ev.Type != slackevents.CallbackEvent {
		return nil
	}
	if !e.Workspace.Allows("event", ev.TeamID, ev.EnterpriseID, ev.APIAppID) {
		return nil // acknowledged, so Slack does not retry it, and dropped
	}
	meta := EventMeta{RetryNum: retryNum, Raw: raw}
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		meta.EventID, meta.EventTime = cb.EventID, cb.EventTime
	}
	e.mu.RLock()
	fn := e.handlers[ev.InnerEvent.Type]
	e.mu.RUnlock()
	if fn == nil {
		return nil
	}
	if err := fn(ctx, ev, meta); err != nil {
		e.Log.Error("slack event not handled", "type", ev.InnerEvent.Type, "event_id", meta.EventID, "err", err)
		return err
	}
	return nil
}

package slackin

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/slack-go/slack"
)

// ActionFunc handles a block action (a button press, a select). It runs
// after Slack has been acknowledged, so it may be slow; it reports back by
// updating messages, posting, or through cb.ResponseURL.
type ActionFunc func(ctx context.Context, cb *slack.InteractionCallback, action *slack.BlockAction) error

// SubmitFunc handles a modal submission. A non-nil response is sent as the
// acknowledgement (field errors, or closing/updating the view); it must be
// quick, since Slack waits for it.
type SubmitFunc func(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error)

// ShortcutFunc handles a message or global shortcut. It runs after Slack
// has been acknowledged; cb.TriggerID opens a modal within 3 s of the click.
type ShortcutFunc func(ctx context.Context, cb *slack.InteractionCallback) error

// Interactions dispatches /slack/interactivity payloads by action_id (exact
// or by prefix, for ids that carry a value such as "conv_claim") and modal
// callback_id.
type Interactions struct {
	mu       sync.RWMutex
	actions  map[string]ActionFunc
	prefixes map[string]ActionFunc
	submits  map[string]SubmitFunc
	// shortcuts are message and global shortcuts, by callback_id.
	shortcuts map[string]ShortcutFunc
	Log       *slog.Logger
	// Workspace, when set, drops interactions from any other workspace or app.
	Workspace *Workspace
	wg        sync.WaitGroup
}

// NewInteractions makes an empty dispatcher.
func NewInteractions(log *slog.Logger) *Interactions {
	return &Interactions{actions: map[string]ActionFunc{}, prefixes: map[string]ActionFunc{}, submits: map[string]SubmitFunc{},
		shortcuts: map[string]ShortcutFunc{}, Log: log}
}

// OnAction registers fn for block actions with action_id id.
func (in *Interactions) OnAction(id string, fn ActionFunc) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.actions[id] = fn
}

// OnActionPrefix registers fn for action ids starting with prefix.
func (in *Interactions) OnActionPrefix(prefix string, fn ActionFunc) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.prefixes[prefix] = fn
}

// OnSubmit registers fn for view submissions of callback_id id.
func (in *Interactions) OnSubmit(id string, fn SubmitFunc) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.submits[id] = fn
}

// OnShortcut registers fn for the message or global shortcut callback_id id
// (declared in manifest.yml).
func (in *Interactions) OnShortcut(id string, fn ShortcutFunc) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.shortcuts[id] = fn
}

// Wait blocks until action work in flight has finished (shutdown).
func (in *Interactions) Wait() { in.wg.Wait() }

// Go runs f in the background, as the handlers' own follow-ups run:
// Wait waits for it too.
func (in *Interactions) Go(f func()) {
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		f()
	}()
}

// ServeHTTP handles POST /slack/interactivity (after signature verification).
func (in *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb); err != nil {
		http.Error(w, "bad interaction payload", http.StatusBadRequest)
		return
	}
	resp := in.Handle(r.Context(), &cb)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// Handle dispatches one interaction and returns the acknowledgement payload
// (nil for an empty 200). Block actions run in the background.
func (in *Interactions) Handle(ctx context.Context, cb *slack.InteractionCallback) any {
	if !in.Workspace.Allows("interaction", cb.Team.ID, cb.Enterprise.ID, cb.APIAppID) {
		return nil // an empty 200: Slack shows nothing and does not retry
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			fn := in.action(a.ActionID)
			if fn == nil {
				in.Log.Warn("no handler for block action", "action_id", a.ActionID)
				continue
			}
			in.wg.Add(1)
			go func(a *slack.BlockAction) {
				defer in.wg.Done()
				if err := fn(context.WithoutCancel(ctx), cb, a); err != nil {
					in.Log.Error("block action failed", "action_id", a.ActionID, "err", err)
				}
			}(a)
		}
		return nil
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		in.shortcut(ctx, cb)
		return nil
	case slack.InteractionTypeViewSubmission:
		in.mu.RLock()
		fn := in.submits[cb.View.CallbackID]
		in.mu.RUnlock()
		if fn == nil {
			in.Log.Warn("no handler for view submission", "callback_id", cb.View.CallbackID)
			return nil
		}
		resp, err := fn(ctx, cb)
		if err != nil {
			in.Log.Error("view submission failed", "callback_id", cb.View.CallbackID, "err", err)
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"_": err.Error()})
		}
		if resp == nil {
			return nil
		}
		return resp
	}
	return nil
}

// shortcut runs a shortcut's handler in the background.
func (in *Interactions) shortcut(ctx context.Context, cb *slack.InteractionCallback) {
	in.mu.RLock()
	fn := in.shortcuts[cb.CallbackID]
	in.mu.RUnlock()
	if fn == nil {
		in.Log.Warn("no handler for shortcut", "callback_id", cb.CallbackID)
		return
	}
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		if err := fn(context.WithoutCancel(ctx), cb); err != nil {
			in.Log.Error("shortcut failed", "callback_id", cb.CallbackID, "err", err)
		}
	}()
}

func (in *Interactions) action(id string) ActionFunc {
	in.mu.RLock()
	defer in.mu.RUnlock()
	if fn, ok := in.actions[id]; ok {
		return fn
	}
	for p, fn := range in.prefixes {
		if strings.HasPrefix(id, p) {
			return fn
		}
	}
	return nil
}

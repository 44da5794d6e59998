package bot

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/smsbridge/smsbridge/slackin"
)

const fuzzTeam = "T0OURS"

// FuzzSlackEvent feeds /slack/events bodies (as verified by the router)
// to the event dispatcher. It must not panic, must answer 200, 400 or 500,
// and must run a handler only for a callback from our workspace.
//
//	go test -fuzz=FuzzSlackEvent -fuzztime=60s ./bot
func FuzzSlackEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"event_callback","event_id":"Ev1","team_id":"T0OURS","api_app_id":"A1","event":{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.2"}}`,
		`{"type":"event_callback","event_id":"Ev1","team_id":"T0OTHER","event":{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.2"}}`,
		`{"type":"event_callback","event_id":"Ev1","team_id":"T0OTHER","enterprise_id":"E0OTHER","event":{"type":"message"}}`,
		`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","text":"<!channel>"}}`,
		`{"type":"event_callback","team_id":"T0OURS","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`,
		`{"type":"url_verification","challenge":"abc"}`,
		`{"type":"event_callback","event":null}`, `{"type":"event_callback"}`, `{}`, `[]`, `null`, ``, `{"type":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var ran atomic.Int32
		var team string
		ev := slackin.NewEvents(slog.New(slog.DiscardHandler))
		ev.Workspace = &slackin.Workspace{TeamID: fuzzTeam}
		fn := func(_ context.Context, e *slackevents.EventsAPIEvent, _ slackin.EventMeta) error {
			ran.Add(1)
			team = e.TeamID
			return nil
		}
		ev.On("message", fn)
		ev.On("app_home_opened", fn)
		w := httptest.NewRecorder()
		ev.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(string(body))))
		if w.Code != 200 && w.Code != 400 && w.Code != 500 {
			t.Fatalf("status %d", w.Code)
		}
		if ran.Load() > 0 && team != fuzzTeam {
			t.Fatalf("a callback from team %q ran", team)
		}
	})
}

// FuzzInteraction feeds /slack/interactivity forms to the interaction
// dispatcher. It must not panic, and must run an action or a submission
// only for our workspace.
//
//	go test -fuzz=FuzzInteraction -fuzztime=60s ./bot
func FuzzInteraction(f *testing.F) {
	for _, s := range []string{
		`{"type":"block_actions","team":{"id":"T0OURS"},"user":{"id":"U1"},"actions":[{"action_id":"conv_claim","block_id":"b","value":"1"}]}`,
		`{"type":"block_actions","team":{"id":"T0OTHER"},"user":{"id":"U1"},"actions":[{"action_id":"conv_claim","block_id":"b","value":"1"}]}`,
		`{"type":"block_actions","team":{"id":"T0OTHER"},"enterprise":{"id":"E1"},"actions":[{"action_id":"conv_claim","block_id":"b"}]}`,
		`{"type":"view_submission","team":{"id":"T0OURS"},"view":{"callback_id":"compose","state":{"values":{}}}}`,
		`{"type":"view_submission","team":{"id":"T0OTHER"},"view":{"callback_id":"compose"}}`,
		`{"type":"block_actions","actions":null}`, `{}`, `null`, ``, `{"type":`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		var ran atomic.Int32
		var team atomic.Value
		in := slackin.NewInteractions(slog.New(slog.DiscardHandler))
		in.Workspace = &slackin.Workspace{TeamID: fuzzTeam}
		in.OnActionPrefix("conv_", func(_ context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
			ran.Add(1)
			team.Store(cb.Team.ID)
			return nil
		})
		in.OnSubmit("compose", func(_ context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
			ran.Add(1)
			team.Store(cb.Team.ID)
			return nil, nil
		})
		form := url.Values{"payload": {payload}}.Encode()
		req := httptest.NewRequest(http.MethodPost, "/slack/interactivity", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		in.ServeHTTP(w, req)
		in.Wait()
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d", w.Code)
		}
		if ran.Load() > 0 && team.Load() != fuzzTeam {
			t.Fatalf("an interaction from team %v ran", team.Load())
		}
	})
}

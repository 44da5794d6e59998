package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/inbox"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/records"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// inboxClock is the store's and the App Home's clock: it moves only when told.
type inboxClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *inboxClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *inboxClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const (
	inboxChannel = "CINBOX"
	ourNumber    = "+18445550001"
	userAna      = "UANA"
	userBen      = "UBEN"
)

// inboxEnv is the shared inbox wired as in production — real store (SQLite
// on disk), real bridge and engine, the slack-go poster, the interaction,
// event and command dispatchers — against the fake Slack server.
type inboxEnv struct {
	t      *testing.T
	srv    *fakeslack.Server
	clock  *inboxClock
	st     *store.Store
	br     *bridge.Bridge
	engine *bridge.Engine
	in     *slackin.Interactions
	events *slackin.Events
	cmds   *slackin.Commands
	home   *inbox.Home
}

func newInboxEnv(t *testing.T) *inboxEnv {
	t.Helper()
	// The store and the poster run on a fake clock, whose pacing does not
	// happen in wall time, where the fake Slack limits: it does not limit.
	e := &inboxEnv{t: t, srv: fakeslack.New(t, fakeslack.WithoutRateLimits()), clock: &inboxClock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}}
	st, err := store.Open(context.Background(), testdb.URL(t), store.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	log := slog.New(slog.DiscardHandler)
	client := e.srv.Client()
	poster := slackpost.NewPoster(client, slackpost.WithClock(e.clock.Now, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }),
		slackpost.WithWorkspaceURL(fakeslack.WorkspaceURL))
	e.engine = bridge.NewEngine(st, log, bridge.EngineConfig{Workers: 2, PollInterval: 5 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	e.br = bridge.New(st, e.engine, poster, nil, log, bridge.Config{Routes: bridge.Routes{Default: inboxChannel}, Quiet: bridge.QuietOff})

	links := slackpost.NewThreadLinks(client, "")
	e.home = inbox.NewHome(st, client, links, log, inbox.WithHomeClock(e.clock.Now))
	e.br.SetInboxHooks(inbox.NewUserNames(client), e.home)
	e.in = slackin.NewInteractions(log)
	inbox.RegisterInboxActions(e.in, e.br, client, &slackin.HTTPResponder{Hosts: slackpost.NewSlackHosts(e.srv.URL())}, log)
	e.events = slackin.NewEvents(log)
	e.home.Register(e.events)
	inbox.RegisterHomeActions(e.in, e.br, e.home, log)
	e.cmds = slackin.NewCommands(nil, &slackin.HTTPResponder{Hosts: slackpost.NewSlackHosts(e.srv.URL())}, log)
	nc := records.NumberCommands{Namer: e.br, Store: st, Links: links, Region: "US"}
	records.RegisterContactCommand(e.cmds, nc)
	records.RegisterHistoryCommand(e.cmds, nc)

	e.srv.AddUser(slack.User{ID: userAna, Name: "ana", Profile: slack.UserProfile{DisplayName: "Ana"}})
	e.srv.AddUser(slack.User{ID: userBen, Name: "ben", RealName: "Ben Okafor"})
	t.Cleanup(e.home.Wait)
	t.Cleanup(e.in.Wait)
	return e
}

// runEngine works the bridge's lanes in the background until the test ends.
func (e *inboxEnv) runEngine() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.engine.Run(ctx); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// text ingests an inbound SMS from remote to our number, as Telnyx sends it.
func (e *inboxEnv) text(eventID, remote, body string) {
	e.t.Helper()
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	raw, _ := json.Marshal(map[string]any{"data": map[string]any{
		"event_type": "message.received", "id": eventID, "record_type": "event",
		"payload": map[string]any{"id": "msg-" + eventID, "direction": "inbound", "type": "SMS", "text": body,
			"from": ep{remote}, "to": []ep{{ourNumber}}, "cc": []ep{}, "media": []any{}},
	}})
	ev, err := telnyxhook.ParseWebhook(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.br.IngestTelnyx(context.Background(), ev, raw); err != nil {
		e.t.Fatal(err)
	}
}

// conversation makes a conversation with remote, with a posted thread
// header, and returns it. fields are set on it after.
func (e *inboxEnv) conversation(remote string, fields map[string]any) *store.Conversation {
	e.t.Helper()
	ctx := context.Background()
	c, _, err := e.st.FindOrCreateConversation(ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		e.t.Fatal(err)
	}
	if fields == nil {
		fields = map[string]any{}
	}
	poster := slackpost.NewPoster(e.srv.Client(), slackpost.WithWorkspaceURL(fakeslack.WorkspaceURL))
	ref, err := poster.PostHeader(ctx, inboxChannel, bridge.HeaderOf(c))
	if err != nil {
		e.t.Fatal(err)
	}
	fields["channel"], fields["thread_ts"] = ref.Channel, ref.TS
	// A conversation whose last text is unanswered waits since then, as
	// the inbound path would have recorded it.
	if _, set := fields["waiting_since"]; !set && fields["last_direction"] == store.Inbound && fields["state"] != store.StateResolved {
		at, ok := fields["last_activity_at"]
		if !ok {
			at = e.clock.Now()
		}
		fields["waiting_since"], fields["waiting_count"] = at, 1
	}
	if err := e.st.UpdateConversation(ctx, c.ID, fields); err != nil {
		e.t.Fatal(err)
	}
	return e.load(c.ID)
}

func (e *inboxEnv) load(id uint64) *store.Conversation {
	e.t.Helper()
	c, err := e.st.Conversation(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// press sends a block_actions payload for a header element, as Slack posts
// it to /slack/interactivity, and waits for the action's work.
func (e *inboxEnv) press(user, actionID string, c *store.Conversation, selected string) (responseURL string) {
	e.t.Helper()
	responseURL = e.srv.ResponseURL()
	e.in.ServeHTTP(httptest.NewRecorder(), e.pressRequest(user, actionID, c, selected, responseURL))
	e.in.Wait()
	return responseURL
}

func (e *inboxEnv) pressRequest(user, actionID string, c *store.Conversation, selected, responseURL string) *http.Request {
	id := fmt.Sprint(c.ID)
	action := map[string]any{"action_id": actionID, "block_id": slackpost.HeaderActionsBlockID + id, "type": "button", "value": id}
	if actionID == slackpost.ActionReassign {
		action = map[string]any{"action_id": actionID, "block_id": slackpost.HeaderActionsBlockID + id, "type": "users_select", "selected_user": selected}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": fakeslack.TeamID},
		"channel": map[string]any{"id": c.Channel}, "message": map[string]any{"ts": c.ThreadTS},
		"response_url": responseURL, "trigger_id": "t1", "actions": []any{action},
	})
	form := url.Values{"payload": {string(payload)}}
	r := httptest.NewRequest(http.MethodPost, "/slack/interactivity", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// command runs /sms as Slack posts it and returns the immediate reply.
func (e *inboxEnv) command(user, text string) *slack.Msg {
	e.t.Helper()
	msg := e.cmds.Handle(context.Background(), slack.SlashCommand{Command: "/sms", Text: text, UserID: user, ChannelID: inboxChannel, ResponseURL: e.srv.ResponseURL()})
	if msg != nil {
		// The acknowledgement is held to Slack's limits like every payload.
		blocks, _ := json.Marshal(msg.Blocks)
		if p := slacklimits.MessageProblems(msg.Text, blocks); len(p) > 0 {
			e.t.Errorf("/sms %s answers a message Slack would refuse: %v", text, p)
		}
	}
	return msg
}

// openHome sends app_home_opened for user as Slack posts it to /slack/events.
func (e *inboxEnv) openHome(user string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "event_id": "Ev" + user,
		"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.2"},
	})
	w := httptest.NewRecorder()
	e.events.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(string(body))))
	if w.Code != http.StatusOK {
		e.t.Fatalf("app_home_opened answered %d", w.Code)
	}
	e.home.Wait()
}

// header is the thread header of c as Slack holds it now.
func (e *inboxEnv) header(c *store.Conversation) recorded.Message {
	e.t.Helper()
	m, ok := e.srv.Message(c.Channel, c.ThreadTS)
	if !ok {
		e.t.Fatalf("no header %s/%s", c.Channel, c.ThreadTS)
	}
	return m
}

// notes are the replies in c's thread.
func (e *inboxEnv) notes(c *store.Conversation) []string {
	var out []string
	for _, m := range e.srv.ThreadReplies(c.Channel, c.ThreadTS) {
		out = append(out, m.Text)
	}
	return out
}

// homeSections reads user's published App Home into section title → item texts.
func (e *inboxEnv) homeSections(user string) map[string][]string {
	e.t.Helper()
	v, ok := e.srv.HomeView(user)
	if !ok {
		e.t.Fatalf("no App Home published for %s", user)
	}
	var view struct {
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	cur := ""
	for _, b := range view.Blocks {
		switch {
		case b.Type == "header" && b.Text != nil:
			cur = b.Text.Text
			out[cur] = out[cur][:0:0]
		case b.Type == "section" && b.Text != nil:
			out[cur] = append(out[cur], b.Text.Text)
		}
	}
	return out
}

// section finds the items of the section whose title contains name.
func section(secs map[string][]string, name string) []string {
	for title, items := range secs {
		if strings.Contains(title, name) {
			return items
		}
	}
	return nil
}

func containsOne(items []string, sub string) bool {
	n := 0
	for _, it := range items {
		if strings.Contains(it, sub) {
			n++
		}
	}
	return n == 1
}

// discard is a ResponseWriter that throws the answer away.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func httptestRequest(body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(body))
}

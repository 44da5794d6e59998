package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/inbox"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// triggerSeq makes each command's trigger id unique, as Slack's are.
var triggerSeq atomic.Int64

// Test identities.
const (
	userAlice  = "UALICE" // a teammate in New York
	userAdmin  = "UADMIN" // in SMSBRIDGE_ADMINS
	chInbox    = "CINBOX"
	chSupport  = "CSUPPORT" // SLACK_ROUTES: +18445550001 → CSUPPORT
	ourNumber  = "+18445550001"
	ourNumber2 = "+18445550002"
	remote     = "+13125550123"
)

// testClock is the injected clock shared by the store, the scheduler, the
// commands and the Telnyx client.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// smsEnv is /sms wired as in production, against fake Slack and fake
// Telnyx, with a SQLite file so a "restart" can reopen it.
type smsEnv struct {
	t     *testing.T
	ctx   context.Context
	clock *testClock
	slack *fakeslack.Server
	tx    *faketelnyx.Server
	api   *telnyxacct.Client
	db    string
	st    *store.Store
	br    *bridge.Bridge
	eng   *bridge.Engine
	out   *bridge.Outbound
	sched *bridge.Scheduler
	cmds  *slackin.Commands
	in    *slackin.Interactions
	logs  *syncBuffer
	// repliesEveryone is SMSBRIDGE_REPLIES_EVERYONE for the next start.
	repliesEveryone bool
	// quiet is the recipients' quiet hours; off unless a test is about
	// them (the clock's noon UTC is 6:00 in Chicago).
	quiet bridge.QuietHours
}

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSMSEnv(t *testing.T) *smsEnv {
	t.Helper()
	e := &smsEnv{t: t, ctx: context.Background(),
		clock: &testClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)},
		// A fake clock paces nothing in wall time, where the fake Slack
		// limits; these tests are about the commands: it does not limit.
		slack: fakeslack.New(t, fakeslack.WithoutRateLimits()), tx: faketelnyx.New(t),
		db: filepath.Join(t.TempDir(), "sms.db"), logs: &syncBuffer{}, quiet: bridge.QuietOff}
	e.slack.AddUser(slack.User{ID: userAlice, Name: "alice", TZ: "America/New_York", TZLabel: "Eastern Standard Time", TZOffset: -18000})
	e.slack.AddUser(slack.User{ID: userAdmin, Name: "admin", TZ: "Europe/Berlin"})
	e.api = telnyxacct.New(telnyx.NewClient("KEYTEST", telnyx.WithBaseURL(e.tx.BaseURL), telnyx.WithRetry(1, time.Millisecond),
		telnyx.WithClock(e.clock.Now, func(ctx context.Context, d time.Duration) error { return ctx.Err() })))
	e.start()
	return e
}

// start (re)opens the store and wires the bridge, scheduler and commands,
// as a process start does.
func (e *smsEnv) start() {
	t := e.t
	st, err := store.Open(e.ctx, "sqlite:"+e.db, store.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	poster := slackpost.NewPoster(e.slack.Client(), slackpost.WithChannelRate(rate.Inf, 1000))
	routes := bridge.Routes{Default: chInbox, ByNumber: map[bridge.E164]string{ourNumber: chSupport}}
	e.eng = bridge.NewEngine(st, log, bridge.EngineConfig{})
	e.br = bridge.New(st, e.eng, poster, nil, log, bridge.Config{Routes: routes, Quiet: e.quiet})
	e.br.SetInboxHooks(inbox.NewUserNames(e.slack.Client()), nil)
	e.out = bridge.NewOutbound(e.br, &bridge.TelnyxSender{Client: e.api.Client, ProfileID: faketelnyx.DefaultProfileID}, nil, nil, bridge.OutboundConfig{})
	e.sched = bridge.NewScheduler(e.br, e.api, log)
	e.sched.Now = e.clock.Now
	e.cmds = slackin.NewCommands(&slackin.Admins{IDs: []string{userAdmin}}, &slackin.HTTPResponder{Hosts: slackpost.NewSlackHosts(e.slack.URL())}, log)
	e.in = slackin.NewInteractions(log)
	slackin.RegisterSendAgain(e.in, e.out) // as cmd/smsbridge wires it
	smscmd.RegisterSMSCommands(e.cmds, e.in, smscmd.SMSDeps{
		API: e.api, Bridge: e.br, Outbox: e.out, Scheduler: e.sched, Slack: e.slack.Client(), Routes: routes,
		DefaultProfileID: faketelnyx.DefaultProfileID, Region: "US", Log: log, Now: e.clock.Now,
		Responder: &slackin.HTTPResponder{Hosts: slackpost.NewSlackHosts(e.slack.URL())},
		BulkPoll:  time.Millisecond, RepliesEveryone: e.repliesEveryone,
	})
}

// restart closes the store and starts again on the same database.
func (e *smsEnv) restart() {
	e.cmds.Wait()
	e.in.Wait()
	e.st.Close()
	e.start()
}

// run runs a slash command as user in channel and returns its
// acknowledgement, plus the response_url it was given.
func (e *smsEnv) run(user, channel, text string) (*slack.Msg, string) {
	e.t.Helper()
	url := e.slack.ResponseURL()
	sub, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	msg := e.cmds.Handle(e.ctx, slack.SlashCommand{Command: "/sms", Text: text, UserID: user, ChannelID: channel,
		ResponseURL: url, TriggerID: fmt.Sprintf("TRIG-%s-%d", sub, triggerSeq.Add(1))})
	if msg != nil {
		// The acknowledgement is a message Slack shows: held to its limits
		// like every payload the fake Slack receives.
		blocks, _ := json.Marshal(msg.Blocks)
		if p := slacklimits.MessageProblems(msg.Text, blocks); len(p) > 0 {
			e.t.Errorf("/sms %s answers a message Slack would refuse: %v", text, p)
		}
	}
	return msg, url
}

// settle runs the queued thread posts (the engine's lanes) to the end.
func (e *smsEnv) settle() {
	e.t.Helper()
	e.cmds.Wait()
	e.in.Wait()
	if _, err := e.eng.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// tick runs a scheduler round and settles what it queued.
func (e *smsEnv) tick() {
	e.t.Helper()
	if err := e.sched.Tick(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
}

// text runs a command, settles its work and returns its acknowledgement's
// text.
func (e *smsEnv) text(user, channel, text string) string {
	e.t.Helper()
	msg, _ := e.run(user, channel, text)
	e.settle()
	if msg == nil {
		return ""
	}
	if msg.ResponseType != slack.ResponseTypeEphemeral {
		e.t.Errorf("/sms %s: reply is %q, want ephemeral", text, msg.ResponseType)
	}
	return msg.Text
}

// press simulates a button press by user on a message that came with
// responseURL and returns when the action has run.
func (e *smsEnv) press(user, actionID, value, responseURL string) {
	e.t.Helper()
	cb := &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}, ResponseURL: responseURL,
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: actionID, Value: value}}}}
	e.in.Handle(e.ctx, cb)
	e.settle()
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("got %q\nwant it to contain %q", got, w)
		}
	}
}

// body returns the JSON body of the only request to route.
func (e *smsEnv) only(route string) map[string]any {
	e.t.Helper()
	reqs := e.tx.RequestsTo(route)
	if len(reqs) != 1 {
		e.t.Fatalf("%s: %d requests, want 1", route, len(reqs))
	}
	return reqs[0].BodyMap()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

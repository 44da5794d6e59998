package bot_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/smsbridge/smsbridge/inbox"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxhook"
	"github.com/smsbridge/smsbridge/webhooks"
)

// The outbound tests run the service's real parts end to end: the gin
// router with Slack's signature check, bot.Events and SlackMessages, the
// store, the engine, bridge.Outbound, bot.Poster against the fake Slack, and
// the Telnyx side through outFake (see outbound_telnyx_test.go).

const (
	obSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	obChannel = "CINBOX"
	obOur     = "+18445550001"
	obRemote  = "+13125550123"
	obUser    = "U0ANA"
	obBase    = "https://sms.example.com"
)

var obEventSeq atomic.Int64

type obHarness struct {
	t       testing.TB
	slack   *fakeslack.Server
	tx      *outFake
	st      *store.Store
	engine  *bridge.Engine
	b       *bridge.Bridge
	out     *bridge.Outbound
	router  *gin.Engine
	events  *slackin.Events
	inter   *slackin.Interactions
	poster  *slackpost.Poster
	tnxKey  ed25519.PrivateKey
	dbPath  string
	cfg     bridge.OutboundConfig
	engCfg  bridge.EngineConfig
	cancel  context.CancelFunc
	running sync.WaitGroup
	clock   *obClock
	// strict, when set, is the spec-checking fake Telnyx with per-sender
	// limits, used instead of tx (outbound_pace_test.go).
	strict *faketelnyx.Server
	// paced gives the outbox a Pacer with rates over the kinds' defaults.
	paced bool
	rates bridge.SenderRates
	// waiting is the bridge's Config.Waiting (waiting_test.go).
	waiting bridge.WaitingConfig
	// log is the service's logger; nil discards (early_reply_test.go).
	log *slog.Logger
}

type obClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *obClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *obClock) Advance(d time.Duration) { c.mu.Lock(); c.off += d; c.mu.Unlock() }

// sleepCtx really waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type obOption func(*obHarness)

func withEngineConfig(c bridge.EngineConfig) obOption {
	return func(h *obHarness) { h.engCfg = c }
}

func withOutboundConfig(f func(*bridge.OutboundConfig)) obOption {
	return func(h *obHarness) { f(&h.cfg) }
}

func newOB(t testing.TB, opts ...obOption) *obHarness {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	// The harness runs on a fake clock, which paces nothing in wall time,
	// where the fake Slack limits: it does not limit here.
	h := &obHarness{
		t: t, slack: fakeslack.New(t, fakeslack.WithoutRateLimits()), dbPath: testdb.URL(t), tnxKey: priv,
		cfg:    bridge.OutboundConfig{PublicBaseURL: obBase},
		clock:  &obClock{},
		engCfg: bridge.EngineConfig{Workers: 2, PollInterval: 5 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	}
	h.tx = newOutFake(t)
	for _, o := range opts {
		o(h)
	}
	h.open(base64.StdEncoding.EncodeToString(pub))
	return h
}

// open builds the service on the database file, like a process start. The
// engine is not running until start.
func (h *obHarness) open(pubKey string) {
	t := h.t
	st, err := store.Open(context.Background(), h.dbPath, store.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	log := h.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h.engine = bridge.NewEngine(st, log, h.engCfg)
	// The poster shares the store's clock, so a Retry-After it learns and
	// the lane's wait in the store pass together when the test moves time.
	h.poster = slackpost.NewPosterFromToken(h.slack.Token(), h.slack.URL(), slackpost.WithChannelRate(1000, 1000), slackpost.WithClock(h.clock.Now, sleepCtx),
		slackpost.WithRetryPolicy(slackpost.RetryPolicy{Attempts: 2, Initial: time.Millisecond, Max: time.Millisecond, MaxRetryAfter: time.Second}))
	h.b = bridge.New(st, h.engine, h.poster, nil, log, bridge.Config{Routes: bridge.Routes{Default: obChannel}, Quiet: bridge.QuietOff, Waiting: h.waiting})
	api := h.slack.Client()
	files := &slackin.SlackFiles{Client: slack.New(h.slack.Token(), slack.OptionAPIURL(h.slack.FilesAPIURL())), Hosts: slackpost.NewSlackHosts(h.slack.FilesAPIURL())}
	sender := h.tx.sender()
	if h.strict != nil {
		sender = strictSender(h.strict)
	}
	if h.paced {
		h.cfg.Pacer = bridge.NewPacer(st, h.rates, st.Now)
	}
	h.out = bridge.NewOutbound(h.b, sender, files, inbox.NewUserNames(api), h.cfg)

	h.events = slackin.NewEvents(log)
	sm, err := slackin.NewSlackMessages(context.Background(), api, h.out, log)
	if err != nil || sm.BotUserID != fakeslack.BotUserID {
		t.Fatalf("bot identity: %v %+v", err, sm)
	}
	sm.Register(h.events)
	h.inter = slackin.NewInteractions(log)
	slackin.RegisterSendAgain(h.inter, h.out)
	ver, err := telnyxhook.NewVerifier(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	h.router = webhooks.NewRouter(webhooks.Deps{
		Log: log, DB: st,
		Telnyx:           &webhooks.TelnyxHandler{Verifier: ver, Ingester: h.b, Log: log},
		SlackEvents:      webhooks.SlackSigned(obSecret, time.Now, log, h.events),
		SlackInteraction: webhooks.SlackSigned(obSecret, time.Now, log, h.inter),
		Media:            webhooks.Media(h.out),
	})
}

// restart closes the store without running what is pending, and opens the
// service again on the same file: a crash and a restart.
func (h *obHarness) restart() {
	h.stop()
	h.st.Close()
	pub := h.tnxKey.Public().(ed25519.PublicKey)
	h.open(base64.StdEncoding.EncodeToString(pub))
}

func (h *obHarness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.running.Add(1)
	go func() { defer h.running.Done(); h.engine.Run(ctx) }()
	h.t.Cleanup(h.stop)
}

func (h *obHarness) stop() {
	if h.cancel != nil {
		h.cancel()
		h.running.Wait()
		h.cancel = nil
	}
	h.inter.Wait()
}

// replyAndSettle posts a teammate's reply in c's thread as a Slack event,
// waits until the work it causes is done, and returns the reply's ts.
func (h *obHarness) replyAndSettle(c *store.Conversation, text string) string {
	h.t.Helper()
	body, ts := h.reply(c, text)
	h.postEvent(body, 0)
	h.settle()
	return ts
}

// settle waits until no stored work is pending.
func (h *obHarness) settle() {
	h.t.Helper()
	settleStore(h.t, h.st, 10*time.Second)
}

// settleStore waits up to within until st has no pending work, and fails
// t naming what is still pending and the lanes when it has.
func settleStore(t testing.TB, st *store.Store, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		counts, err := st.EventCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.EventPending] == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	var pending []store.Event
	st.DB().Where("status = ?", store.EventPending).Find(&pending)
	for _, ev := range pending {
		t.Logf("pending event %d %s/%s attempts %d: %s", ev.ID, ev.Source, ev.Type, ev.Attempts, ev.LastError)
	}
	var lanes []store.Lane
	st.DB().Find(&lanes)
	for _, l := range lanes {
		t.Logf("lane %+v due %v until %v now %v", l, l.DueAt, l.LeaseUntil, st.Now())
	}
	t.Fatalf("work still pending after %v", within)
}

// conversation makes a conversation with a thread in the inbox, as inbound
// would have, and returns it.
func (h *obHarness) conversation(remotes ...string) *store.Conversation {
	h.t.Helper()
	return h.conversationOn(obOur, remotes...)
}

// conversationOn is conversation for our number our.
func (h *obHarness) conversationOn(our string, remotes ...string) *store.Conversation {
	h.t.Helper()
	ctx := context.Background()
	if len(remotes) == 0 {
		remotes = []string{obRemote}
	}
	rs := make([]bridge.E164, len(remotes))
	for i, r := range remotes {
		rs[i] = bridge.E164(r)
	}
	c, _, err := h.st.FindOrCreateConversation(ctx, store.KindSMS, our, bridge.RemoteKey(rs))
	if err != nil {
		h.t.Fatal(err)
	}
	ref, err := h.poster.PostHeader(ctx, obChannel, bridge.HeaderOf(c))
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.st.UpdateConversation(ctx, c.ID, map[string]any{"channel": ref.Channel, "thread_ts": ref.TS, "last_direction": store.Inbound}); err != nil {
		h.t.Fatal(err)
	}
	c, _ = h.st.Conversation(ctx, c.ID)
	return c
}

type obMsg struct {
	user, text, botID, subtype, threadTS, ts string
	// parentUser is the thread's parent's author (parent_user_id).
	parentUser string
	files      []map[string]any
}

// reply records a person's message in the fake Slack (so reactions can
// refer to it) and returns the Events API callback body Slack would send.
func (h *obHarness) reply(c *store.Conversation, text string) (body []byte, ts string) {
	ts = h.slack.AddUserMessage(c.Channel, c.ThreadTS, obUser, text)
	// Slack sends message text with &, < and > escaped.
	return h.eventBody(obMsg{user: obUser, text: slackpost.Escape(text), threadTS: c.ThreadTS, ts: ts}), ts
}

func (h *obHarness) eventBody(m obMsg) []byte {
	ev := map[string]any{
		"type": "message", "channel": obChannel, "channel_type": "channel", "text": m.text,
		"ts": m.ts, "event_ts": m.ts,
	}
	if m.user != "" {
		ev["user"] = m.user
	}
	if m.threadTS != "" {
		ev["thread_ts"] = m.threadTS
	}
	if m.parentUser != "" {
		ev["parent_user_id"] = m.parentUser
	}
	if m.botID != "" {
		ev["bot_id"] = m.botID
		ev["subtype"] = "bot_message"
	}
	if m.subtype != "" {
		ev["subtype"] = m.subtype
	}
	if len(m.files) > 0 {
		ev["files"] = m.files
		if m.subtype == "" {
			ev["subtype"] = "file_share"
		}
	}
	return callbackBody(ev)
}

func callbackBody(inner map[string]any) []byte {
	body, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID,
		"type": "event_callback", "event_id": fmt.Sprintf("Ev%08d", obEventSeq.Add(1)), "event_time": time.Now().Unix(),
		"event": inner,
	})
	return body
}

// withEventID returns body with its event_id replaced.
func withEventID(body []byte, id string) []byte {
	var m map[string]any
	json.Unmarshal(body, &m)
	m["event_id"] = id
	b, _ := json.Marshal(m)
	return b
}

// postEvent delivers an Events API body through the router, signed, with
// X-Slack-Retry-Num when retry > 0, and returns the status.
func (h *obHarness) postEvent(body []byte, retry int) int {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, webhooks.PathSlackEvents, bytes.NewReader(body))
	for k, v := range webhooks.SignSlack(obSecret, time.Now(), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	return rec.Code
}

// postTelnyx delivers a signed Telnyx webhook through the router.
func (h *obHarness) postTelnyx(body []byte) int {
	h.t.Helper()
	sig, ts := telnyxhook.Sign(h.tnxKey, time.Now(), body)
	req := httptest.NewRequest(http.MethodPost, webhooks.PathTelnyx, bytes.NewReader(body))
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	return rec.Code
}

// pressSendAgain clicks the "Send again" button of a thread post.
func (h *obHarness) pressSendAgain(value string) int {
	h.t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": obUser}, "trigger_id": "1.2.3",
		"team": map[string]any{"id": fakeslack.TeamID}, "channel": map[string]any{"id": obChannel},
		"actions": []map[string]any{{"action_id": bridge.ActionSendAgain, "block_id": "b1", "type": "button", "value": value,
			"action_ts": fmt.Sprintf("%d.000100", time.Now().UnixNano())}},
	})
	form := "payload=" + url.QueryEscape(string(payload))
	req := httptest.NewRequest(http.MethodPost, webhooks.PathSlackInteraction, bytes.NewReader([]byte(form)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range webhooks.SignSlack(obSecret, time.Now(), []byte(form)) {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	h.inter.Wait()
	return rec.Code
}

// deliveryReport builds a message.sent or message.finalized webhook for the
// Telnyx message id with the given to[].status and errors.
func deliveryReport(eventID, typ, msgID, status string, errs ...telnyx.ErrorEntry) []byte {
	if errs == nil {
		errs = []telnyx.ErrorEntry{}
	}
	body, _ := json.Marshal(map[string]any{
		"data": map[string]any{
			"event_type": typ, "id": eventID, "occurred_at": time.Now().UTC().Format(time.RFC3339Nano), "record_type": "event",
			"payload": map[string]any{
				"id": msgID, "record_type": "message", "direction": "outbound", "type": "SMS", "text": "x",
				"from": map[string]any{"phone_number": obOur},
				"to":   []map[string]any{{"phone_number": obRemote, "status": status}},
				"cc":   []any{}, "media": []any{}, "errors": errs, "parts": 1, "encoding": "GSM-7",
			},
		},
		"meta": map[string]any{"attempt": 1},
	})
	return body
}

// threadTexts is what a reader sees in the conversation's thread.
func (h *obHarness) threadTexts(c *store.Conversation) []string {
	var out []string
	for _, m := range h.slack.ThreadReplies(c.Channel, c.ThreadTS) {
		if m.User != fakeslack.BotUserID {
			continue
		}
		out = append(out, m.BlockText())
	}
	return out
}

func (h *obHarness) outbound(key string) *store.Message {
	h.t.Helper()
	m, err := h.st.MessageByOutboxKey(context.Background(), key)
	if err != nil {
		h.t.Fatalf("outbox entry %s: %v", key, err)
	}
	return m
}

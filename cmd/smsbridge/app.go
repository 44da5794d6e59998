package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bot"
	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/webhooks"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

// run is the whole program, testable: it serves until SIGINT or SIGTERM and
// returns the exit code.
// numberSyncInterval is how often our numbers are learned again from Telnyx.
const numberSyncInterval = 15 * time.Minute

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, "usage: smsbridge   (settings from the environment; see README.md)")
		return 0
	}
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(stdout, "smsbridge", version)
		return 0
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge:", err)
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, log, nil); err != nil {
		log.Error("smsbridge stopped", "err", err)
		return 1
	}
	return 0
}

// serve runs the service until ctx is cancelled. If ready is not nil, the
// listening address is sent on it once the server accepts connections.
func serve(ctx context.Context, cfg *config, log *slog.Logger, ready chan<- string) error {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()

	verifier, err := telnyx.NewVerifier(cfg.TelnyxPublicKey)
	if err != nil {
		return err
	}
	tx := telnyx.NewClient(cfg.TelnyxAPIKey, telnyx.WithBaseURL(cfg.TelnyxAPIURL), telnyx.WithVersion(version),
		telnyx.WithMediaAllowHosts(cfg.MediaAllowHosts))
	// The outbox's sends: a 429 comes straight back, so the outbox slows
	// the whole sender in its shared budget instead of one call waiting.
	txSend := telnyx.NewClient(cfg.TelnyxAPIKey, telnyx.WithBaseURL(cfg.TelnyxAPIURL), telnyx.WithVersion(version),
		telnyx.WithRetryPolicy(telnyx.SendPolicy()))
	sc := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL))
	slackHosts := bot.NewSlackHosts(cfg.SlackAPIURL)
	poster := bot.NewPoster(sc, bot.WithRedactedToken(cfg.SlackBotToken), bot.WithLogger(log),
		bot.WithChannelRate(rate.Limit(cfg.SlackChannelRate), 3))

	engine := bridge.NewEngine(st, log, bridge.EngineConfig{Lease: cfg.Lease, Workers: cfg.Workers, Instance: cfg.Instance})
	br := bridge.New(st, engine, poster, tx, log, bridge.Config{
		Routes:  bridge.Routes{Default: cfg.SlackChannel, ByNumber: cfg.SlackRoutes},
		Silence: cfg.Silence,
	})

	metrics := webhooks.NewMetrics()
	metrics.Events = st.EventCounts
	metrics.OldestPending = st.OldestPendingAge
	janitor := bridge.NewJanitor(st, log, bridge.RetentionConfig{KeepPayloads: cfg.KeepPayloads, KeepMessages: cfg.KeepMessages})
	metrics.Retention = janitor.Deleted
	deps := webhooks.Deps{
		Log: log, DB: st, Metrics: metrics,
		Telnyx: &webhooks.TelnyxHandler{Verifier: verifier, Ingester: br, Log: log},
	}
	slackIn := newSlackInbound(cfg, log, sc)
	if cfg.SlackSigning != "" {
		deps.SlackEvents = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, slackIn.events)
		deps.SlackCommands = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, slackIn.commands)
		deps.SlackInteraction = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, slackIn.interactions)
	}
	// Outbound: thread replies become SMS; delivery comes back as reactions.
	out := bridge.NewOutbound(br, &bridge.TelnyxSender{Client: txSend, ProfileID: cfg.TelnyxProfileID},
		&bot.SlackFiles{Client: sc, Hosts: slackHosts}, bot.NewUserNames(sc),
		bridge.OutboundConfig{NotePrefix: cfg.NotePrefix, Signature: cfg.Signature, PublicBaseURL: cfg.PublicBaseURL,
			// Each sender's budget lives in the store, shared by replicas.
			Pacer: bridge.NewPacer(st, cfg.SenderRates, st.Now)})
	replies, err := bot.NewSlackMessages(ctx, sc, out, log) // auth.test: the bot's own user id
	if err != nil {
		return fmt.Errorf("slack auth.test (is SLACK_BOT_TOKEN right?): %w", err)
	}
	// Only requests for this install act: the workspace is auth.test's.
	slackIn.setWorkspace(&bot.Workspace{TeamID: replies.TeamID, EnterpriseID: replies.EnterpriseID, AppID: cfg.SlackAppID, Log: log})
	replies.Register(slackIn.events)
	bot.RegisterSendAgain(slackIn.interactions, out)
	deps.Media = webhooks.Media(out)

	// The shared inbox: header buttons, App Home, /sms contact and history.
	links := bot.NewThreadLinks(sc, "") // workspace URL from auth.test once
	home := bot.NewHome(st, sc, links, log)
	br.SetInboxHooks(bot.NewUserNames(sc), home)
	bot.RegisterInboxActions(slackIn.interactions, br, sc, &bot.HTTPResponder{Hosts: slackHosts}, log)
	home.Register(slackIn.events)
	numbers := bot.NumberCommands{Namer: br, Store: st, Links: links, Region: cfg.DefaultRegion}
	bot.RegisterContactCommand(slackIn.commands, numbers)
	bot.RegisterHistoryCommand(slackIn.commands, numbers)

	// /sms: the rest of the Messaging API, and messages held for later.
	sched := bridge.NewScheduler(br, tx, log)
	sched.Pacer = out.Pacer()
	bot.RegisterSMSCommands(slackIn.commands, slackIn.interactions, bot.SMSDeps{
		API: tx, Bridge: br, Outbox: out, Scheduler: sched, Slack: sc,
		Routes:           bridge.Routes{Default: cfg.SlackChannel, ByNumber: cfg.SlackRoutes},
		DefaultProfileID: cfg.TelnyxProfileID,
		Region:           cfg.DefaultRegion,
		Responder:        &bot.HTTPResponder{Hosts: slackHosts},
		Log:              log,
		ScheduleMaxAhead: cfg.ScheduleMaxAhead,
	})
	defer home.Wait()

	router := webhooks.NewRouter(deps)

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return err
	}
	// Bodies are at most 1 MiB; a client slower than this is not Telnyx or
	// Slack, and must not hold a connection forever.
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("smsbridge listening", "addr", ln.Addr().String(), "version", version)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); engine.Run(workCtx) }()
	wg.Add(1)
	go func() { defer wg.Done(); out.RunMediaJanitor(workCtx, time.Hour) }()
	wg.Add(1)
	go func() { defer wg.Done(); sched.Run(workCtx, 30*time.Second) }()
	// Our numbers and their profiles, from Telnyx: the default inbox sends
	// from those not routed elsewhere, and a STOP blocks a whole profile.
	wg.Add(1)
	go func() { defer wg.Done(); br.SyncNumbers(workCtx, tx, numberSyncInterval) }()
	wg.Add(1)
	go func() { defer wg.Done(); janitor.Run(workCtx) }()
	if cfg.SlackAppToken != "" {
		// Socket Mode: the same handlers, over a websocket Slack opens to us.
		smAPI := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL), slack.OptionAppLevelToken(cfg.SlackAppToken))
		sm := bot.NewSocketMode(smAPI, slackIn.events, slackIn.commands, slackIn.interactions, log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sm.Run(workCtx); err != nil && workCtx.Err() == nil {
				log.Error("socket mode stopped", "err", err)
			}
		}()
	}

	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-srvErr:
	}
	// Stop taking requests; let in-flight ones finish (bounded), then stop
	// the workers, which finish the event in hand within their own bound.
	log.Info("smsbridge stopping")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil {
		log.Warn("http shutdown", "err", serr)
	}
	slackIn.wait()
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// slackInbound is what Slack sends us: events, /sms and interactions.
type slackInbound struct {
	events       *bot.Events
	commands     *bot.Commands
	interactions *bot.Interactions
}

func newSlackInbound(cfg *config, log *slog.Logger, sc *slack.Client) *slackInbound {
	admins := &bot.Admins{IDs: cfg.Admins, Client: sc}
	return &slackInbound{
		events:       bot.NewEvents(log),
		commands:     bot.NewCommands(admins, &bot.HTTPResponder{Hosts: bot.NewSlackHosts(cfg.SlackAPIURL)}, log),
		interactions: bot.NewInteractions(log),
	}
}

func (s *slackInbound) setWorkspace(w *bot.Workspace) {
	s.events.Workspace, s.commands.Workspace, s.interactions.Workspace = w, w, w
}

func (s *slackInbound) wait() {
	s.commands.Wait()
	s.interactions.Wait()
}

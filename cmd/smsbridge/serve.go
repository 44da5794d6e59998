package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/inbox"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd"
	"github.com/smsbridge/smsbridge/smscmd/records"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
	"github.com/smsbridge/smsbridge/telnyxhook"
	"github.com/smsbridge/smsbridge/webhooks"
)

// The service's own intervals and timeouts, named in one place.
const (
	// numberSyncInterval is how often our numbers are learned again from Telnyx.
	numberSyncInterval = 15 * time.Minute
	// schedulerInterval is how often held scheduled messages are looked at.
	schedulerInterval = 30 * time.Second
	// metricsInterval is how often what /metrics shows of the store is
	// read from the database (off the request path).
	metricsInterval = time.Second
	// mediaJanitorInterval is how often expired outbound MMS files are deleted.
	mediaJanitorInterval = time.Hour
	// Bodies are at most 1 MiB; a client slower than this is not Telnyx or
	// Slack, and must not hold a connection forever.
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpIdleTimeout       = 2 * time.Minute
	// shutdownTimeout bounds how long in-flight requests may finish on stop.
	shutdownTimeout = 10 * time.Second
)

// app is smsbridge built: what serve starts and stops.
type app struct {
	cfg     *config
	log     *slog.Logger
	st      *store.Store
	tx      *telnyxacct.Client
	engine  *bridge.Engine
	br      *bridge.Bridge
	out     *bridge.Outbound
	sched   *bridge.Scheduler
	janitor *bridge.Janitor
	gauges  *store.Gauges
	home    *inbox.Home
	waiter  *bridge.Waiter
	slackIn *slackInbound
	router  http.Handler

	wg       sync.WaitGroup
	stopWork context.CancelFunc
}

// serve builds the service, starts it and runs until ctx ends or the HTTP
// server fails, then stops it in order.
func serve(ctx context.Context, cfg *config, log *slog.Logger, ready chan<- string) error {
	svc, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.close()
	if cfg.PprofAddr != "" {
		stopPprof, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			return fmt.Errorf("SMSBRIDGE_PPROF_ADDR: %w", err)
		}
		defer stopPprof()
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: svc.router, ReadHeaderTimeout: httpReadHeaderTimeout, ReadTimeout: httpReadTimeout, IdleTimeout: httpIdleTimeout}
	log.Info("smsbridge listening", "addr", ln.Addr().String(), "version", version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	svc.start(ctx)
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-srvErr:
	}
	svc.stop(srv)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// build makes every part and wires them; nothing runs yet.
func build(ctx context.Context, cfg *config, log *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	svc := &app{cfg: cfg, log: log, st: st}
	if err := svc.buildCore(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return svc, nil
}

// buildCore makes the clients, the domain and the Slack side.
func (s *app) buildCore(ctx context.Context) error {
	cfg, log, st := s.cfg, s.log, s.st
	verifier, err := telnyxhook.NewVerifier(cfg.TelnyxPublicKey)
	if err != nil {
		return err
	}
	s.tx = telnyxacct.New(telnyx.NewClient(cfg.TelnyxAPIKey, telnyx.WithBaseURL(cfg.TelnyxAPIURL), telnyx.WithVersion(version),
		telnyx.WithMediaAllowHosts(cfg.MediaAllowHosts)))
	// The outbox's sends: a 429 comes straight back, so the outbox slows
	// the whole sender in its shared budget instead of one call waiting.
	txSend := telnyx.NewClient(cfg.TelnyxAPIKey, telnyx.WithBaseURL(cfg.TelnyxAPIURL), telnyx.WithVersion(version),
		telnyx.WithRetryPolicy(telnyx.SendPolicy()))
	sc := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL))
	// Slack takes about one post a second per channel and promises no
	// burst: the channel's budget has none, and lives in the store, so
	// replicas share it (and chat.update's and reactions' tiers).
	poster := slackpost.NewPoster(sc, slackpost.WithRedactedToken(cfg.SlackBotToken), slackpost.WithLogger(log),
		slackpost.WithChannelRate(rate.Limit(cfg.SlackChannelRate), 1), slackpost.WithSharedBudgets(st))

	s.engine = bridge.NewEngine(st, log, bridge.EngineConfig{Lease: cfg.Lease, Workers: cfg.Workers, Instance: cfg.Instance})
	s.br = bridge.New(st, s.engine, poster, s.tx, log, bridge.Config{
		Routes:  bridge.Routes{Default: cfg.SlackChannel, ByNumber: cfg.SlackRoutes},
		Silence: cfg.Silence,
		Quiet:   cfg.Quiet, AutoReplyEvery: cfg.AutoReplyEvery,
		Waiting: cfg.Waiting,
		// Inbound texts take the channel's turn first, and coalesce when
		// they wait (bridge/inbound/coalesce.go).
		SlackRate: cfg.SlackChannelRate,
	})
	s.waiter = bridge.NewWaiter(s.br, log)
	metrics := webhooks.NewMetrics()
	// A scrape reads what the gauges last read (every metricsInterval),
	// never the database itself.
	s.gauges = st.NewGauges()
	metrics.Events = s.gauges.EventCounts
	metrics.OldestPending = s.gauges.OldestPendingAge
	s.janitor = bridge.NewJanitor(st, log, bridge.RetentionConfig{KeepPayloads: cfg.KeepPayloads, KeepMessages: cfg.KeepMessages})
	metrics.Retention = s.janitor.Deleted
	deps := webhooks.Deps{
		Log: log, DB: st, Metrics: metrics,
		Telnyx: &webhooks.TelnyxHandler{Verifier: verifier, Ingester: s.br, Log: log},
	}
	s.slackIn = newSlackInbound(cfg, log, sc)
	if cfg.SlackSigning != "" {
		deps.SlackEvents = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, s.slackIn.events)
		deps.SlackCommands = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, s.slackIn.commands)
		deps.SlackInteraction = webhooks.SlackSigned(cfg.SlackSigning, time.Now, log, s.slackIn.interactions)
	}
	// Outbound: thread replies become SMS; delivery comes back as reactions.
	s.out = bridge.NewOutbound(s.br, &bridge.TelnyxSender{Client: txSend, ProfileID: cfg.TelnyxProfileID},
		&slackin.SlackFiles{Client: sc, Hosts: slackpost.NewSlackHosts(cfg.SlackAPIURL)}, inbox.NewUserNames(sc),
		bridge.OutboundConfig{NotePrefix: cfg.NotePrefix, Signature: cfg.Signature, PublicBaseURL: cfg.PublicBaseURL,
			// Each sender's budget lives in the store, shared by replicas.
			Pacer: bridge.NewPacer(st, cfg.SenderRates, st.Now)})
	deps.Media = webhooks.Media(s.out)
	if err := s.buildSlack(ctx, sc); err != nil {
		return err
	}
	s.router = webhooks.NewRouter(deps)
	return nil
}

// buildSlack registers what Slack reaches: thread replies, the shared
// inbox, and /sms with the scheduler.
func (s *app) buildSlack(ctx context.Context, sc *slack.Client) error {
	cfg, log := s.cfg, s.log
	hosts := slackpost.NewSlackHosts(cfg.SlackAPIURL)
	replies, err := slackin.NewSlackMessages(ctx, sc, s.out, log) // auth.test: the bot's own user id
	if err != nil {
		return fmt.Errorf("slack auth.test (is SLACK_BOT_TOKEN right?): %w", err)
	}
	// Only requests for this install act: the workspace is auth.test's.
	s.slackIn.setWorkspace(&slackin.Workspace{TeamID: replies.TeamID, EnterpriseID: replies.EnterpriseID, AppID: cfg.SlackAppID, Log: log})
	replies.Register(s.slackIn.events)
	slackin.RegisterSendAgain(s.slackIn.interactions, s.out)

	// The shared inbox: header buttons, App Home, /sms contact and history.
	links := slackpost.NewThreadLinks(sc, "") // workspace URL from auth.test once
	s.home = inbox.NewHome(s.st, sc, links, log)
	s.br.SetInboxHooks(inbox.NewUserNames(sc), s.home)
	inbox.RegisterInboxActions(s.slackIn.interactions, s.br, sc, &slackin.HTTPResponder{Hosts: hosts}, log)
	s.home.Register(s.slackIn.events)
	inbox.RegisterHomeActions(s.slackIn.interactions, s.br, s.home, log)
	numbers := records.NumberCommands{Namer: s.br, Store: s.st, Links: links, Region: cfg.DefaultRegion}
	records.RegisterContactCommand(s.slackIn.commands, numbers)
	records.RegisterHistoryCommand(s.slackIn.commands, numbers)

	// /sms: the rest of the Messaging API, and messages held for later.
	s.sched = bridge.NewScheduler(s.br, s.tx, log)
	s.sched.Pacer = s.out.Pacer()
	smscmd.RegisterSMSCommands(s.slackIn.commands, s.slackIn.interactions, smscmd.SMSDeps{
		API: s.tx, Bridge: s.br, Outbox: s.out, Scheduler: s.sched, Slack: sc,
		Routes:           bridge.Routes{Default: cfg.SlackChannel, ByNumber: cfg.SlackRoutes},
		DefaultProfileID: cfg.TelnyxProfileID,
		Region:           cfg.DefaultRegion,
		Responder:        &slackin.HTTPResponder{Hosts: hosts},
		Log:              log,
		ScheduleMaxAhead: cfg.ScheduleMaxAhead,
		RepliesEveryone:  cfg.RepliesEveryone,
	})
	return nil
}

// start runs the workers and loops; they stop with stop, not with ctx, so
// work in hand finishes after the HTTP server has stopped taking requests.
func (s *app) start(ctx context.Context) {
	workCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopWork = stop
	s.goRun(func() { s.engine.Run(workCtx) })
	s.goRun(func() { s.out.RunMediaJanitor(workCtx, mediaJanitorInterval) })
	s.goRun(func() { s.sched.Run(workCtx, schedulerInterval) })
	// Our numbers and their profiles, from Telnyx: the default inbox sends
	// from those not routed elsewhere, and a STOP blocks a whole profile.
	s.goRun(func() { s.br.SyncNumbers(workCtx, s.tx, numberSyncInterval) })
	s.goRun(func() { s.janitor.Run(workCtx) })
	s.goRun(func() { s.gauges.Run(workCtx, metricsInterval, s.log) })
	// Headers whose wait is out of date, and due nudges.
	// Every WaitingConfig.Tick (15 s): a nudge is at most that late.
	s.goRun(func() { s.waiter.Run(workCtx, 0) })
	if s.cfg.SlackAppToken != "" {
		// Socket Mode: the same handlers, over a websocket Slack opens to us.
		smAPI := slack.New(s.cfg.SlackBotToken, slack.OptionAPIURL(s.cfg.SlackAPIURL), slack.OptionAppLevelToken(s.cfg.SlackAppToken))
		sm := slackin.NewSocketMode(smAPI, s.slackIn.events, s.slackIn.commands, s.slackIn.interactions, s.log)
		s.goRun(func() {
			if err := sm.Run(workCtx); err != nil && workCtx.Err() == nil {
				s.log.Error("socket mode stopped", "err", err)
			}
		})
	}
}

func (s *app) goRun(f func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
}

// stop stops taking requests, lets in-flight ones finish (bounded), then
// stops the workers, which finish the event in hand within their own bound.
func (s *app) stop(srv *http.Server) {
	s.log.Info("smsbridge stopping")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	s.slackIn.wait()
	if s.stopWork != nil {
		s.stopWork()
	}
	s.wg.Wait()
}

// close releases what build made, after stop.
func (s *app) close() {
	if s.home != nil {
		s.home.Wait()
	}
	s.st.Close()
}

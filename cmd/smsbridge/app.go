package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/slack-go/slack"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "dev"

// run is the whole program, testable: it serves until SIGINT or SIGTERM and
// returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, "usage: smsbridge           (settings from the environment; see README.md)\n       smsbridge sandbox   (try it with a simulated Slack and phones; prints the URL to open)")
		return 0
	}
	if len(args) > 0 && args[0] == "version" {
		fmt.Fprintln(stdout, "smsbridge", version)
		return 0
	}
	if len(args) > 0 && args[0] == "sandbox" { // sandbox.go
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		return sandboxRun(ctx, getenv, stdout, stderr, sandboxHooks{})
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
// slackInbound is what Slack sends us: events, /sms and interactions.
type slackInbound struct {
	events       *slackin.Events
	commands     *slackin.Commands
	interactions *slackin.Interactions
}

func newSlackInbound(cfg *config, log *slog.Logger, sc *slack.Client) *slackInbound {
	admins := &slackin.Admins{IDs: cfg.Admins, Client: sc}
	return &slackInbound{
		events:       slackin.NewEvents(log),
		commands:     slackin.NewCommands(admins, &slackin.HTTPResponder{Hosts: slackpost.NewSlackHosts(cfg.SlackAPIURL)}, log),
		interactions: slackin.NewInteractions(log),
	}
}

func (s *slackInbound) setWorkspace(w *slackin.Workspace) {
	s.events.Workspace, s.commands.Workspace, s.interactions.Workspace = w, w, w
}

func (s *slackInbound) wait() {
	s.commands.Wait()
	s.interactions.Wait()
}

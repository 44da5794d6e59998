package slackin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// SocketMode receives events, slash commands and interactions over Slack's
// Socket Mode websocket (SLACK_APP_TOKEN) instead of HTTP, for a team
// without a public URL for Slack. It hands them to the same Events,
// Commands and Interactions as the HTTP routes.
//
// Events are acknowledged only after their handler returned nil, that is
// after they are committed; an event whose handler failed is left
// unacknowledged so Slack delivers it again. Events are handled one at a
// time in arrival order, so two replies in a thread are committed in the
// order written. Commands and interactions run concurrently (a command may
// take up to its 2 s acknowledgement budget). An envelope that does not
// parse is acknowledged and logged: Slack would otherwise redeliver it
// forever.
type SocketMode struct {
	Events       *Events
	Commands     *Commands
	Interactions *Interactions
	Log          *slog.Logger
	client       *socketmode.Client
	wg           sync.WaitGroup
}

// NewSocketMode makes a Socket Mode transport. api must carry the app-level
// token (slack.OptionAppLevelToken); its API URL is where
// apps.connections.open is called.
func NewSocketMode(api *slack.Client, events *Events, commands *Commands, interactions *Interactions, log *slog.Logger, opts ...socketmode.Option) *SocketMode {
	return &SocketMode{
		Events: events, Commands: commands, Interactions: interactions, Log: log,
		client: socketmode.New(api, opts...),
	}
}

// Run connects (and reconnects) until ctx is cancelled, then waits for
// in-flight commands and interactions to be acknowledged.
func (s *SocketMode) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- s.client.RunContext(ctx) }()
	defer s.wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		case evt := <-s.client.Events:
			s.dispatch(ctx, evt)
		}
	}
}

func (s *SocketMode) dispatch(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		if err := s.Events.Handle(ctx, &ev, evt.Request.Payload, evt.Request.RetryAttempt); err != nil {
			// Not committed: no ack, so Slack delivers it again.
			s.Log.Error("socket mode event not acknowledged", "envelope", evt.Request.EnvelopeID, "err", err)
			return
		}
		s.ack(ctx, evt.Request.EnvelopeID, nil)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil || s.Commands == nil {
			s.ackRequest(ctx, evt.Request)
			return
		}
		s.ackAsync(ctx, evt.Request.EnvelopeID, func() any {
			if msg := s.Commands.Handle(ctx, cmd); msg != nil {
				return msg
			}
			return nil // an empty ack, not a typed nil *slack.Msg
		})
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil || s.Interactions == nil {
			s.ackRequest(ctx, evt.Request)
			return
		}
		s.ackAsync(ctx, evt.Request.EnvelopeID, func() any { return s.Interactions.Handle(ctx, &cb) })
	case socketmode.EventTypeErrorBadMessage:
		bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
		if bad == nil {
			return
		}
		var env struct {
			EnvelopeID string `json:"envelope_id"`
			Type       string `json:"type"`
		}
		_ = json.Unmarshal(bad.Message, &env)
		s.Log.Error("socket mode envelope does not parse; acknowledged so Slack stops redelivering it",
			"envelope", env.EnvelopeID, "type", env.Type, "err", bad.Cause)
		if env.EnvelopeID != "" {
			s.ack(ctx, env.EnvelopeID, nil)
		}
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		s.Log.Debug("socket mode", "state", string(evt.Type))
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeInvalidAuth:
		s.Log.Warn("socket mode connection problem", "state", string(evt.Type), "detail", errorDetail(evt.Data))
	}
}

func (s *SocketMode) ackRequest(ctx context.Context, req *socketmode.Request) {
	if req != nil && req.EnvelopeID != "" {
		s.ack(ctx, req.EnvelopeID, nil)
	}
}

// ackAsync acknowledges envelopeID with what answer returns, off the event
// loop: a command may take up to its ack bound, and other envelopes must
// not wait behind it.
func (s *SocketMode) ackAsync(ctx context.Context, envelopeID string, answer func() any) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.ack(ctx, envelopeID, answer())
	}()
}

func (s *SocketMode) ack(ctx context.Context, envelopeID string, payload any) {
	if err := s.client.AckCtx(ctx, envelopeID, payload); err != nil {
		s.Log.Error("socket mode ack failed", "envelope", envelopeID, "err", err)
	}
}

// errorDetail describes a connection event without its payload (which may
// carry tokens in URLs).
func errorDetail(data any) string {
	switch d := data.(type) {
	case *slack.ConnectionErrorEvent:
		return d.Error()
	case *slack.IncomingEventError:
		return d.Error()
	case error:
		return d.Error()
	}
	return ""
}

package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakesocketmode"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/store"
)

// runSocketMode runs a SocketMode transport against the fake until the test
// ends.
func runSocketMode(t *testing.T, sm *fakesocketmode.SocketMode, ev *slackin.Events, cmds *slackin.Commands, in *slackin.Interactions) {
	t.Helper()
	tr := slackin.NewSocketMode(sm.Client(), ev, cmds, in, slog.New(slog.DiscardHandler), socketmode.OptionPingInterval(5*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tr.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	sm.WaitConnected(5 * time.Second)
}

// A reply arriving over Socket Mode goes through the same handlers as over
// HTTP: committed, then acknowledged, then sent once, even when Slack
// redelivers the envelope.
func TestSocketModeReplyIsCommittedAckedAndSentOnce(t *testing.T) {
	h := newOB(t)
	c := h.conversation()
	h.start()
	sm := fakesocketmode.NewSocketMode(t)
	runSocketMode(t, sm, h.events, nil, h.inter)

	body, ts := h.reply(c, "over the socket")
	id := sm.SendEventsAPI(body, 0)
	sm.WaitAck(id, 5*time.Second)
	// The ack came after the commit: the outbox work is in the store.
	var n int64
	h.st.DB().Model(&store.Event{}).Where("source = ? AND external_id = ?", "slack", eventID(body)).Count(&n)
	if n != 1 {
		t.Fatalf("acked but %d events stored", n)
	}
	again := sm.SendEventsAPI(body, 1) // Slack's redelivery: same event_id
	sm.WaitAck(again, 5*time.Second)
	h.settle()
	if s := h.tx.sends(); len(s) != 1 || s[0].Text != "over the socket" || s[0].To[0] != obRemote {
		t.Fatalf("sends %+v", s)
	}
	if m := h.outbound(obChannel + ":" + ts); m.Status != store.OutQueued {
		t.Fatalf("status %s", m.Status)
	}
}

func eventID(body []byte) string {
	var v struct {
		EventID string `json:"event_id"`
	}
	json.Unmarshal(body, &v)
	return v.EventID
}

// An event whose handler fails (the store is down) is not acknowledged, so
// Slack redelivers it; one that does not parse is acknowledged and dropped.
func TestSocketModeAcksOnlyCommittedEventsAndDropsGarbage(t *testing.T) {
	sm := fakesocketmode.NewSocketMode(t)
	ev := slackin.NewEvents(slog.New(slog.DiscardHandler))
	var fail atomic.Bool
	fail.Store(true)
	var handled atomic.Int32
	ev.On("message", func(ctx context.Context, e *slackevents.EventsAPIEvent, meta slackin.EventMeta) error {
		handled.Add(1)
		if fail.Load() {
			return errors.New("database is locked")
		}
		return nil
	})
	runSocketMode(t, sm, ev, nil, nil)

	body := callbackBody(map[string]any{"type": "message", "channel": obChannel, "user": obUser, "text": "x", "ts": "1.2", "thread_ts": "1.1"})
	id := sm.SendEventsAPI(body, 0)
	// A later envelope is acked, which shows the failed one was processed.
	garbage := `{"envelope_id":"env-garbage","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","ts":42}},"accepts_response_payload":false}`
	sm.SendRaw([]byte(garbage))
	sm.WaitAck("env-garbage", 5*time.Second)
	if handled.Load() != 1 {
		t.Fatalf("handler ran %d times", handled.Load())
	}
	if _, acked := sm.Ack(id); acked {
		t.Fatal("an event that was not committed was acknowledged")
	}
	fail.Store(false)
	again := sm.SendEventsAPI(body, 1)
	sm.WaitAck(again, 5*time.Second)
	if _, acked := sm.Ack(id); acked {
		t.Fatal("the failed envelope was acknowledged late")
	}
}

// Slash commands and interactions over Socket Mode reach the same
// dispatchers, and their acks carry the response payload.
func TestSocketModeSlashCommandAndInteraction(t *testing.T) {
	sm := fakesocketmode.NewSocketMode(t)
	log := slog.New(slog.DiscardHandler)
	cmds := slackin.NewCommands(nil, nil, log)
	cmds.Register(slackin.Command{Name: "ping", Usage: "/sms ping", Help: "answers pong", Run: func(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
		return slackin.Ephemeral("pong " + strings.Join(req.Args, " ")), nil
	}})
	in := slackin.NewInteractions(log)
	var mu sync.Mutex
	var pressed []string
	in.OnAction("conv_claim", func(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
		mu.Lock()
		pressed = append(pressed, cb.User.ID+":"+a.Value)
		mu.Unlock()
		return nil
	})
	runSocketMode(t, sm, slackin.NewEvents(log), cmds, in)

	id := sm.SendSlashCommand(slack.SlashCommand{Command: "/sms", Text: "ping a b", UserID: obUser, ChannelID: obChannel, TeamID: fakeslack.TeamID})
	ack := sm.WaitAck(id, 5*time.Second)
	var msg slack.Msg
	if err := json.Unmarshal(ack.Payload, &msg); err != nil || msg.Text != "pong a b" || msg.ResponseType != slack.ResponseTypeEphemeral {
		t.Fatalf("ack payload %s (%v)", ack.Payload, err)
	}

	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": obUser}, "team": map[string]any{"id": fakeslack.TeamID},
		"actions": []map[string]any{{"action_id": "conv_claim", "block_id": "conv_actions_7", "type": "button", "value": "7", "action_ts": "1.5"}},
	})
	id = sm.SendInteractive(payload)
	sm.WaitAck(id, 5*time.Second)
	in.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(pressed) != 1 || pressed[0] != obUser+":7" {
		t.Fatalf("pressed %v", pressed)
	}
}

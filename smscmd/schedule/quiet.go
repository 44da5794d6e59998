package schedule

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// Quiet hours on the Slack side (the rule is bridge/quiet.go): a send
// that would arrive in the recipient's quiet hours is not queued; the
// teammate is asked, with Send anyway and Schedule for the end of the
// window, or may say so up front with --confirm-quiet. A schedule into the
// window is refused with the reason, with Schedule anyway and Schedule
// for the end of the window (the modal has no --confirm-quiet). A thread
// reply held for quiet hours gets the same two buttons in its thread.

// Buttons of the quiet-hours question. Their value is the token of the
// quietSend the question holds in the store (bridge.HoldConfirmation):
// the first press of any of them takes it, so a double click, or Schedule
// after Send anyway, sends and schedules nothing more.
const (
	ActionQuietSend       = "sms_quiet_send"
	ActionQuietSchedule   = "sms_quiet_schedule"
	ActionQuietScheduleAt = "sms_quiet_schedule_at"
)

const (
	quietHold = "quiet"
	// quietAnswerTTL is how long a quiet-hours question can be answered:
	// the rest of a night, and the morning after.
	quietAnswerTTL = 16 * time.Hour
)

// holdQuiet keeps p for the question's buttons and returns the token they
// carry; "" when it could not be kept (the question then says how to
// answer with the command instead).
func (s *Commands) holdQuiet(ctx context.Context, user, channel string, p quietSend) string {
	token, err := s.Bridge.HoldConfirmation(ctx, quietHold, user, channel, p, quietAnswerTTL)
	if err != nil {
		s.Log.Warn("hold the quiet-hours question", "err", err)
		return ""
	}
	return token
}

// quietSend is the message a quiet-hours question waits with.
type quietSend struct {
	Key    string        `json:"key"`
	From   bridge.E164   `json:"f,omitempty"`
	Sender string        `json:"s,omitempty"` // sendOpts.kind
	Pool   bool          `json:"p,omitempty"`
	To     []bridge.E164 `json:"t"`
	Text   string        `json:"x"`
	Kind   string        `json:"k,omitempty"`
	Media  []string      `json:"m,omitempty"`
	Until  int64         `json:"u"`           // the end of the window, Unix seconds
	At     int64         `json:"a,omitempty"` // a refused schedule's time, Unix seconds
}

func (s *Commands) registerQuiet() {
	s.In.OnAction(ActionQuietSend, s.onQuietSend)
	s.In.OnAction(ActionQuietSchedule, s.onQuietSchedule)
	s.In.OnAction(ActionQuietScheduleAt, s.onQuietScheduleAt)
	s.In.OnAction(bridge.ActionScheduleQuiet, s.onScheduleHeld)
}

// AskQuiet asks whether to send into quiet hours anyway or schedule for
// their end. When the question cannot be held in the store, it tells how
// to answer with --confirm-quiet or /sms schedule instead.
func (s *Commands) AskQuiet(ctx context.Context, in cmdkit.SendInput, qe *bridge.QuietError) *slack.Msg {
	q := qe.Quiet
	text := fmt.Sprintf(":crescent_moon: Not sent yet. %s Send it anyway, or schedule it for %s?", q.Reason(), q.UntilText())
	v := s.holdQuiet(ctx, in.User, in.Channel, quietSend{Key: in.Key, From: in.Opts.From, Sender: in.Opts.Kind, Pool: in.Opts.Pool, To: in.To,
		Text: in.Text, Kind: in.Kind, Media: in.Opts.Media, Until: q.Until.Unix()})
	if v == "" {
		return slackin.Ephemeral(slackpost.Escape(text) + " To send it anyway, run the command again with --confirm-quiet; or `/sms schedule` it.")
	}
	buttons := []slack.BlockElement{slack.NewButtonBlockElement(ActionQuietSend, v, slackpost.Plain("Send anyway")).WithStyle(slack.StyleDanger)}
	if len(in.To) == 1 && in.Kind != bridge.ConvWhatsApp {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionQuietSchedule, v, slackpost.Plain("Schedule for "+q.UntilText())).WithStyle(slack.StylePrimary))
	}
	return cmdkit.MsgWithBlocks(text, slack.NewSectionBlock(slackpost.Mrkdwn(slackpost.Escape(text)), nil, nil), slack.NewActionBlock("sms_quiet", buttons...))
}

// quietInput takes the question's message back, once: a second press,
// or a press after the question expired, gets ok false.
func (s *Commands) quietInput(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) (quietSend, cmdkit.SendInput, bool) {
	var p quietSend
	if _, err := s.Bridge.TakeConfirmation(ctx, quietHold, a.Value, &p); err != nil || len(p.To) == 0 {
		if err != nil && !errors.Is(err, bridge.ErrNotFound) {
			s.Log.Warn("take the quiet-hours question", "err", err)
		}
		return p, cmdkit.SendInput{}, false
	}
	in := cmdkit.SendInput{Key: bridge.QuietSendKey(p.Key), Kind: p.Kind, To: p.To, Text: p.Text, User: cb.User.ID, Channel: cb.Channel.ID,
		Opts: cmdkit.SendOpts{From: p.From, Kind: p.Sender, Pool: p.Pool, Media: p.Media}}
	return p, in, true
}

// onQuietSend sends the message now, into quiet hours, as confirmed.
func (s *Commands) onQuietSend(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	_, in, ok := s.quietInput(ctx, cb, a)
	if !ok {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: quietAnswered})
	}
	in.Opts.ConfirmQuiet = true
	msg, err := s.sendNow(ctx, in)
	if err != nil {
		msg = slackin.Ephemeral("Not sent: " + slackpost.Escape(bridge.Explain(err)) + ".")
	}
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

// onQuietSchedule schedules the message for the end of the window (at
// least Telnyx's minimum ahead).
func (s *Commands) onQuietSchedule(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	p, in, ok := s.quietInput(ctx, cb, a)
	if !ok {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: quietAnswered})
	}
	at := time.Unix(p.Until, 0)
	if soonest := s.Now().Add(bridge.TelnyxMinAhead + time.Minute); at.Before(soonest) {
		at = soonest
	}
	msg, err := s.Schedule(ctx, Input{SendInput: in, At: at, Loc: s.LocationOf(ctx, cb.User.ID)})
	if err != nil {
		msg = slackin.Ephemeral("Not scheduled: " + slackpost.Escape(bridge.Explain(err)) + ".")
	}
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

// onScheduleHeld schedules a thread reply held for quiet hours.
func (s *Commands) onScheduleHeld(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := strconv.ParseUint(a.Value, 10, 64)
	if err != nil {
		return fmt.Errorf("schedule held reply: bad message id %q", a.Value)
	}
	m, err := s.Scheduler.ScheduleHeld(ctx, id, cb.User.ID)
	var text string
	if err != nil {
		text = "Not scheduled: " + slackpost.Escape(bridge.Explain(err)) + "."
	} else {
		text = fmt.Sprintf("Held in their quiet hours; %s scheduled it (#%d) for %s.", slackpost.Mention(cb.User.ID), m.ID, cmdkit.FormatWhen(m.SendAt, s.LocationOf(ctx, cb.User.ID)))
	}
	return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: text})
}

// onQuietScheduleAt schedules a refused schedule at its own time, in
// quiet hours, as confirmed.
func (s *Commands) onQuietScheduleAt(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	p, in, ok := s.quietInput(ctx, cb, a)
	if !ok || p.At == 0 {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: quietAnswered})
	}
	in.Opts.ConfirmQuiet = true
	msg, err := s.Schedule(ctx, Input{SendInput: in, At: time.Unix(p.At, 0), Loc: s.LocationOf(ctx, cb.User.ID)})
	if err != nil {
		msg = slackin.Ephemeral("Not scheduled: " + slackpost.Escape(bridge.Explain(err)) + ".")
	}
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

// quietScheduleRefusal answers a schedule into quiet hours: refused with
// the reason, and buttons to schedule it there anyway or for the end of
// the window (a command may also say --confirm-quiet; a modal cannot).
func (s *Commands) quietScheduleRefusal(ctx context.Context, in Input, qe *bridge.QuietError) *slack.Msg {
	q := qe.Quiet
	text := qe.Error() + " Schedule it at that time anyway (or add --confirm-quiet to the command), or for " + q.UntilText() + "?"
	v := s.holdQuiet(ctx, in.User, in.Channel, quietSend{From: in.Opts.From, Sender: in.Opts.Kind, Pool: in.Opts.Pool, To: in.To,
		Text: in.Text, Kind: in.Kind, Media: in.Opts.Media, Until: q.Until.Unix(), At: in.At.Unix()})
	if v == "" {
		return slackin.Ephemeral(slackpost.Escape(qe.Error()) + " To schedule it there anyway, add --confirm-quiet; or pick a time from " + slackpost.Escape(q.UntilText()) + ".")
	}
	at := clock12(q.Local) + " their time"
	buttons := []slack.BlockElement{
		slack.NewButtonBlockElement(ActionQuietScheduleAt, v, slackpost.Plain("Schedule for "+at+" anyway")).WithStyle(slack.StyleDanger),
		slack.NewButtonBlockElement(ActionQuietSchedule, v, slackpost.Plain("Schedule for "+q.UntilText())).WithStyle(slack.StylePrimary),
	}
	return cmdkit.MsgWithBlocks(text, slack.NewSectionBlock(slackpost.Mrkdwn(slackpost.Escape(text)), nil, nil), slack.NewActionBlock("sms_quiet", buttons...))
}

// quietAnswered is what a press of an answered (or expired) quiet-hours
// question says.
var quietAnswered = fmt.Sprintf("This question was already answered (or it expired after %d hours), so nothing more was sent or scheduled. If the message did not go, send it again.", int(quietAnswerTTL.Hours()))

func clock12(t time.Time) string { return strings.ToLower(t.Format("3:04 pm")) }

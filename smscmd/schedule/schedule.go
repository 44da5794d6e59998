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

func (s *Commands) registerSchedule() {
	s.Cmds.Register(slackin.Command{
		Name:    "schedule",
		Usage:   "/sms schedule [--from <sender>] [--media <url>] [--their-time] [--confirm-quiet] <when> <to> <text>",
		Example: "/sms schedule tomorrow 9am (312) 555-0123 Reminder: your appointment is at 10",
		Help:    "send later: <when> is in your Slack time zone (2026-12-01 09:00, tomorrow 9am, in 2h, RFC 3339), or on the recipient's clock with --their-time or \"their tomorrow 9am\"; a time in their quiet hours needs --confirm-quiet",
		Run:     s.runSchedule,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "scheduled",
		Usage:   "/sms scheduled",
		Example: "/sms scheduled",
		Help:    "the scheduled messages not yet sent, with Cancel buttons",
		Run:     s.runScheduled,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "cancel",
		Usage:   "/sms cancel <id>",
		Example: "/sms cancel 12",
		Help:    "cancel a scheduled message (its # number from /sms scheduled, or its Telnyx id)",
		Run:     s.runCancel,
	})
	s.In.OnAction(bridge.ActionCancelScheduled, s.onCancelButton)
	s.In.OnAction(ActionScheduledMore, s.onScheduledMore)
}

// Input is a message to send later.
type Input struct {
	cmdkit.SendInput
	At  time.Time
	Loc *time.Location
}

func (s *Commands) runSchedule(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	rest := req.Rest
	var flagWords []string
	for {
		tok, r := cmdkit.NextToken(rest)
		if tok == "--from" || tok == "--media" {
			v, r2 := cmdkit.NextToken(r)
			flagWords, rest = append(flagWords, tok, `"`+v+`"`), r2
			continue
		}
		if strings.HasPrefix(tok, "--") {
			flagWords, rest = append(flagWords, tok), r
			continue
		}
		break
	}
	o, _, err := cmdkit.ParseFlags(strings.Join(flagWords, " "), s.Region, false)
	if err != nil {
		return nil, err
	}
	// <when> is every word before the first one that reads as a number.
	var words, rests []string
	for r := rest; ; {
		tok, r2 := cmdkit.NextToken(r)
		if tok == "" {
			break
		}
		words, rests, r = append(words, tok), append(rests, r2), r2
	}
	if len(words) == 0 {
		return nil, slackin.Usagef("Missing the time, the number and the text.")
	}
	toAt := -1
	var to []bridge.E164
	var text string
	for i := 1; i < len(words); i++ {
		if nums, rest, err := cmdkit.TakeNumbers(rests[i-1], s.Region, false); err == nil {
			toAt, to, text = i, nums, rest
			break
		}
	}
	if toAt < 0 {
		if len(words) < 3 {
			return nil, slackin.Usagef("Missing arguments: give a time, a number and the text.")
		}
		return nil, slackin.Usagef("Could not find a phone number to text after the time.")
	}
	loc := s.LocationOf(ctx, req.UserID)
	now := s.Now()
	when := strings.Join(words[:toAt], " ")
	if w, ok := strings.CutPrefix(strings.ToLower(when), "their "); ok {
		when, o.TheirTime = w, true
	}
	readIn := loc
	if o.TheirTime {
		if readIn, err = bridge.TheirLocation(to[0], now); err != nil {
			return nil, slackin.Usagef("Cannot use their time: %v.", err)
		}
	}
	at, err := cmdkit.ParseWhen(when, now, readIn)
	if err != nil {
		return nil, slackin.Usagef("%v.", err)
	}
	if err := cmdkit.CheckScheduleWindow(at, now, bridge.TelnyxMinAhead, s.ScheduleMaxAhead); err != nil {
		return nil, slackin.Usagef("Cannot schedule: %v.", err)
	}
	if text, err = cmdkit.TrailingFlags(&o, text, s.Region); err != nil {
		return nil, err
	}
	if text == "" && len(o.Media) == 0 {
		return nil, slackin.Usagef("Missing the text to send.")
	}
	return s.Schedule(ctx, Input{SendInput: cmdkit.SendInput{Opts: o, To: to[:1], Text: text, User: req.UserID, Channel: req.ChannelID}, At: at, Loc: loc})
}

// Schedule stores (and, within 5 days, hands to Telnyx) a scheduled
// message and answers with its time in the teammate's zone and UTC and a
// Cancel button.
func (s *Commands) Schedule(ctx context.Context, in Input) (*slack.Msg, error) {
	if err := s.ResolveFrom(ctx, &in.Opts, in.Channel); err != nil {
		return nil, cmdkit.AsUsage(err)
	}
	profile := ""
	if in.Opts.Kind == cmdkit.SenderAlpha {
		profile = s.DefaultProfileID
	}
	m, err := s.Scheduler.Schedule(ctx, bridge.ScheduleRequest{From: in.Opts.From, ProfileID: profile, To: in.To[0],
		Text: in.Text, Media: in.Opts.Media, SendAt: in.At, By: in.User, ConfirmQuiet: in.Opts.ConfirmQuiet})
	var (
		refused *bridge.RefusedError
		quiet   *bridge.QuietError
	)
	if errors.As(err, &refused) {
		return slackin.Ephemeral(slackpost.Escape(refused.Reason)), nil
	}
	if errors.As(err, &quiet) {
		return s.quietScheduleRefusal(ctx, in, quiet), nil
	}
	if errors.Is(err, bridge.ErrTooSoon) {
		return nil, slackin.Usagef("Cannot schedule: the time must be at least 5 minutes ahead.")
	}
	if err != nil {
		return nil, err
	}
	when := cmdkit.FormatWhen(m.SendAt, in.Loc)
	var state string
	switch m.Status {
	case bridge.SchedHanded:
		state = fmt.Sprintf("Telnyx has it (message id `%s`).", *m.TelnyxID)
	case bridge.SchedHeld:
		state = "smsbridge holds it and hands it to Telnyx when it is within 5 days."
		if s.Scheduler.InWindow(m) {
			state = "It is being handed to Telnyx now; its conversation's thread confirms it, with a Cancel button, or says why Telnyx refused it."
		}
	case bridge.SchedFailed:
		return slackin.Ephemeral(fmt.Sprintf("Not scheduled: Telnyx refused it: %s", slackpost.Escape(m.LastError))), nil
	default:
		state = fmt.Sprintf("Its hand-off to Telnyx is %s: %s", m.Status, slackpost.Escape(m.LastError))
	}
	if line := bridge.TheirClockOf(in.To[0]).Line(m.SendAt); line != "" {
		when += ", " + line
	}
	text := fmt.Sprintf("Scheduled #%d for %s to %s from %s. %s", m.ID, when, slackpost.Escape(slackpost.FormatNumber(in.To[0])), slackpost.Escape(slackpost.FormatNumber(in.Opts.From)), state)
	return cmdkit.MsgWithBlocks(text, slack.NewSectionBlock(slackpost.Mrkdwn(text), nil, slack.NewAccessory(cancelButton(m.ID)))), nil
}

func cancelButton(id uint64) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(bridge.ActionCancelScheduled, strconv.FormatUint(id, 10), slackpost.Plain("Cancel")).WithStyle(slack.StyleDanger)
}

// scheduledPage is how many scheduled messages one answer lists (a
// section each, within Slack's 50 blocks).
const scheduledPage = 20

// ActionScheduledMore shows the next page of /sms scheduled; its value is
// the page.
const ActionScheduledMore = "sms_scheduled_more"

func (s *Commands) runScheduled(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if len(req.Args) > 0 {
		return nil, slackin.Usagef("`/sms scheduled` takes no arguments.")
	}
	return s.scheduledPage(ctx, req.UserID, 1)
}

func (s *Commands) onScheduledMore(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	page, err := strconv.Atoi(a.Value)
	if err != nil || page < 1 {
		return fmt.Errorf("bad scheduled page %q", a.Value)
	}
	msg, err := s.scheduledPage(ctx, cb.User.ID, page)
	if err != nil {
		return err
	}
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

// scheduledPage lists one page of the messages not yet sent, with the
// true total and a More button while there are more.
func (s *Commands) scheduledPage(ctx context.Context, user string, page int) (*slack.Msg, error) {
	ms, total, err := s.Scheduler.PendingPage(ctx, (page-1)*scheduledPage, scheduledPage)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return slackin.Ephemeral("No scheduled messages are waiting."), nil
	}
	if len(ms) == 0 {
		return slackin.Ephemeral(fmt.Sprintf("No more: %d scheduled message(s) in all.", total)), nil
	}
	loc := s.LocationOf(ctx, user)
	first := (page-1)*scheduledPage + 1
	head := fmt.Sprintf("*%d scheduled message(s)* (%d–%d)", total, first, first+len(ms)-1)
	blocks := []slack.Block{slack.NewSectionBlock(slackpost.Mrkdwn(head), nil, nil)}
	var plainText strings.Builder
	plainText.WriteString(head + "\n")
	for _, m := range ms {
		id := fmt.Sprintf("#%d", m.ID)
		if m.TelnyxID != nil {
			id += fmt.Sprintf(" (Telnyx `%s`)", *m.TelnyxID)
		}
		line := fmt.Sprintf("%s — %s — to %s from %s — %s\n>%s", id, cmdkit.FormatWhen(m.SendAt, loc), slackpost.Escape(slackpost.FormatNumber(bridge.E164(m.To))),
			slackpost.Escape(slackpost.FormatNumber(bridge.E164(m.From))), m.Status, slackpost.Escape(slackpost.Truncate(m.Text, 200)))
		blocks = append(blocks, slack.NewSectionBlock(slackpost.Mrkdwn(line), nil, slack.NewAccessory(cancelButton(m.ID))))
		plainText.WriteString(line + "\n")
	}
	if int64(first+len(ms)-1) < total {
		more := slack.NewButtonBlockElement(ActionScheduledMore, strconv.Itoa(page+1), slackpost.Plain("More"))
		blocks = append(blocks, slack.NewActionBlock("", more))
	}
	return cmdkit.MsgWithBlocks(plainText.String(), blocks...), nil
}

func (s *Commands) runCancel(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if len(req.Args) != 1 {
		return nil, slackin.Usagef("Give the id of one scheduled message.")
	}
	return s.cancel(ctx, req.Args[0], req.UserID), nil
}

func (s *Commands) cancel(ctx context.Context, ref, user string) *slack.Msg {
	idText := strings.TrimPrefix(ref, "#")
	admin, err := s.IsAdmin(ctx, user)
	if err != nil {
		s.Log.Error("admin check failed", "err", err)
		return slackin.Ephemeral("Cannot cancel it now: smsbridge could not tell whether you are an admin. Try again in a minute.")
	}
	if id, perr := strconv.ParseUint(idText, 10, 64); perr == nil {
		_, err = s.Scheduler.CancelAs(ctx, id, user, admin)
	} else {
		err = s.Scheduler.CancelTelnyxAs(ctx, ref, user, admin)
	}
	var notYours *bridge.NotYoursError
	switch {
	case errors.As(err, &notYours):
		who := ""
		if notYours.Author != "" {
			who = " (" + slackpost.Mention(notYours.Author) + " scheduled it)"
		}
		return slackin.Ephemeral(fmt.Sprintf("Cannot cancel %s: %s%s.", slackpost.Escape(ref), slackpost.Escape(notYours.Error()), who))
	case errors.Is(err, bridge.ErrNotFound):
		return slackin.Ephemeral(fmt.Sprintf("There is no scheduled message %s.", slackpost.Escape(ref)))
	case errors.Is(err, bridge.ErrNotCancellable):
		return slackin.Ephemeral(fmt.Sprintf("Cannot cancel %s: %s", slackpost.Escape(ref), slackpost.Escape(strings.TrimPrefix(err.Error(), bridge.ErrNotCancellable.Error()+": "))))
	case err != nil:
		s.Log.Error("cancel failed", "ref", ref, "err", err)
		return slackin.Ephemeral(fmt.Sprintf("Cancelling %s did not work: %s.", slackpost.Escape(ref), slackpost.Escape(bridge.Explain(err))))
	}
	s.Log.Info("scheduled message cancelled", "ref", ref, "user", user)
	return slackin.Ephemeral(fmt.Sprintf("Cancelled scheduled message %s.", slackpost.Escape(ref)))
}

func (s *Commands) onCancelButton(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	return s.Respond(ctx, cb, s.cancel(ctx, "#"+a.Value, cb.User.ID))
}

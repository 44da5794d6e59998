package smscmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/smscmd/schedule"
)

// The compose modal: callback id, block ids and action ids.
const (
	ComposeCallbackID = "sms_compose"
	ComposeTextAction = "sms_compose_text" // typing in the text updates the segment note

	ComposeTo        = "to"
	ComposeFrom      = "from"
	ComposeFromOther = "from_other"
	ComposeText      = "text"
	ComposeWhen      = "when"
	composeSegments  = "segments"

	composePool = "pool"
)

func (s *sms) registerCompose() {
	s.Cmds.Register(slackin.Command{
		Name:    "compose",
		Usage:   "/sms compose",
		Example: "/sms",
		Help:    "a form to write a message: to, from, text (with its SMS length), optional send time",
		Run:     s.runCompose,
	})
	s.In.OnAction(ComposeTextAction, s.onComposeText)
	s.In.OnAction(ComposeReplyAction, s.onComposeReply)
	s.In.OnSubmit(ComposeCallbackID, s.onComposeSubmit)
}

func (s *sms) runCompose(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if len(req.Args) > 0 {
		return nil, slackin.Usagef("`/sms compose` takes no arguments; to send directly use `/sms send`.")
	}
	view, err := s.composeView(ctx, req.ChannelID, "")
	if err != nil {
		return nil, err
	}
	if _, err := s.Slack.OpenViewContext(ctx, req.TriggerID, view); err != nil {
		return slackin.Ephemeral("Could not open the form: " + slackpost.Escape(s.SlackReason(err)) + "."), nil
	}
	return nil, nil
}

// composeView builds the modal. Our numbers come from the routes (no call
// to Telnyx: views.open must happen within 3 s of the command).
func (s *sms) composeView(ctx context.Context, channel, segNote string) (slack.ModalViewRequest, error) {
	return s.composeViewWith(ctx, channel, composeTextState{note: segNote})
}

// composeViewWith builds the modal with its text field as t says (a saved
// reply filled in, a note of why one could not be).
func (s *sms) composeViewWith(ctx context.Context, channel string, t composeTextState) (slack.ModalViewRequest, error) {
	opts, err := s.fromOptions(ctx, channel)
	if err != nil {
		return slack.ModalViewRequest{}, err
	}
	to := slack.NewInputBlock(ComposeTo, slackpost.Plain("To"), slackpost.Plain("One number, or several separated by commas for a group MMS"),
		slack.NewPlainTextInputBlockElement(slackpost.Plain("(312) 555-0123"), ComposeTo))
	var blocks []slack.Block
	blocks = append(blocks, to)
	if len(opts) > 0 {
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slackpost.Plain("This channel's number"), ComposeFrom, opts...)
		from := slack.NewInputBlock(ComposeFrom, slackpost.Plain("From"), nil, sel)
		from.Optional = true
		blocks = append(blocks, from)
	}
	other := slack.NewInputBlock(ComposeFromOther, slackpost.Plain("Or another sender"), slackpost.Plain("A number, a short code or an alphanumeric sender ID"),
		slack.NewPlainTextInputBlockElement(slackpost.Plain("+18445550001, 12345 or MyShop"), ComposeFromOther))
	other.Optional = true
	blocks = append(blocks, other)
	if pick := s.composeReplyBlocks(ctx, t); len(pick) > 0 {
		blocks = append(blocks, pick...)
	}
	textEl := slack.NewPlainTextInputBlockElement(slackpost.Plain("Your message"), ComposeTextAction)
	textEl.Multiline = true
	textEl.MaxLength = 1600
	textEl.InitialValue = t.value
	textEl.DispatchActionConfig = &slack.DispatchActionConfig{TriggerActionsOn: []string{"on_character_entered"}}
	text := slack.NewInputBlock(cmp.Or(t.block, ComposeText), slackpost.Plain("Message"), nil, textEl)
	text.DispatchAction = true
	segNote := t.note
	if segNote == "" {
		segNote = "Long texts are sent in several SMS parts; the count shows here as you type."
	}
	seg := slack.NewContextBlock(composeSegments, slackpost.Mrkdwn(segNote))
	when := slack.NewInputBlock(ComposeWhen, slackpost.Plain("Send at (optional)"), slackpost.Plain("In your time zone: tomorrow 9am, 2026-12-01 09:00, in 2h. Empty sends now."),
		slack.NewPlainTextInputBlockElement(slackpost.Plain("now"), ComposeWhen))
	when.Optional = true
	blocks = append(blocks, text, seg, when)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ComposeCallbackID,
		Title:           slackpost.Plain("New SMS"),
		Submit:          slackpost.Plain("Send"),
		Close:           slackpost.Plain("Cancel"),
		PrivateMetadata: channel,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}, nil
}

// fromOptions are the From select's choices: the channel's numbers first,
// then our others, then the pool (at most 100, Slack's limit).
func (s *sms) fromOptions(ctx context.Context, channel string) ([]*slack.OptionBlockObject, error) {
	var opts []*slack.OptionBlockObject
	routed, err := s.RoutedNumbers(ctx, channel)
	if err != nil {
		return nil, err
	}
	seen := map[bridge.E164]bool{}
	add := func(n bridge.E164, label string) {
		if !seen[n] {
			seen[n] = true
			opts = append(opts, slack.NewOptionBlockObject(string(n), slackpost.Plain(label), nil))
		}
	}
	for _, n := range routed {
		add(n, slackpost.FormatNumber(n)+" (this channel)")
	}
	all, _ := s.Bridge.OurNumbers(ctx)
	for _, n := range all {
		add(n, slackpost.FormatNumber(n))
	}
	if s.DefaultProfileID != "" {
		opts = append(opts, slack.NewOptionBlockObject(composePool, slackpost.Plain("Number pool (default profile)"), nil))
	}
	if len(opts) > 100 {
		opts = opts[:100]
	}
	return opts, nil
}

// SegmentNote describes how a text travels as SMS.
func SegmentNote(text string) string {
	info := phone.Segments(text)
	switch {
	case info.Segments == 0:
		return "Empty message."
	case info.TooLong():
		return fmt.Sprintf(":warning: %d characters (%s): %d SMS parts, more than the %d Telnyx sends. Shorten it.", info.Characters, info.Encoding, info.Segments, phone.MaxSegments)
	case info.Segments == 1:
		return fmt.Sprintf("%d characters (%s): 1 SMS.", info.Characters, info.Encoding)
	}
	return fmt.Sprintf("%d characters (%s): sent as %d SMS parts, each billed.", info.Characters, info.Encoding, info.Segments)
}

// onComposeText updates the segment note as the teammate types.
func (s *sms) onComposeText(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	// The text field keeps its block id (a filled saved reply changes it),
	// so what was typed stays.
	view, err := s.composeViewWith(ctx, cb.View.PrivateMetadata, composeTextState{note: SegmentNote(a.Value), block: composeTextBlock(cb), value: a.Value})
	if err != nil {
		return err
	}
	_, err = s.Slack.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
	return err
}

// onComposeSubmit checks the form (errors show on their fields), closes the
// modal and sends in the background; the result comes as an ephemeral
// message in the channel the form was opened from.
// composeForm is what the compose modal's fields say.
type composeForm struct {
	to   []bridge.E164
	opts cmdkit.SendOpts
	text string
	at   time.Time // zero: now
	loc  *time.Location
}

// readCompose reads the modal's fields; errs holds a reason per field.
func (s *sms) readCompose(ctx context.Context, cb *slack.InteractionCallback) (f composeForm, errs map[string]string) {
	errs = map[string]string{}
	for _, part := range strings.Split(cmdkit.InputValue(cb, ComposeTo, ComposeTo), ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		n, err := cmdkit.ParseNumber(part, s.Region)
		if err != nil {
			errs[ComposeTo] = err.Error()
			break
		}
		f.to = append(f.to, n)
	}
	if len(f.to) == 0 && errs[ComposeTo] == "" {
		errs[ComposeTo] = "Who should get it?"
	}
	if len(f.to) > 8 {
		errs[ComposeTo] = "A group MMS goes to at most 8 numbers."
	}
	o := &f.opts
	if other := cmdkit.InputValue(cb, ComposeFromOther, ComposeFromOther); other != "" {
		from, kind, err := cmdkit.ParseSender(other, s.Region)
		if err != nil {
			errs[ComposeFromOther] = err.Error()
		}
		o.From, o.Kind = from, kind
	} else if sel := cmdkit.InputValue(cb, ComposeFrom, ComposeFrom); sel == composePool {
		o.Pool = true
	} else if sel != "" {
		o.From, o.Kind = bridge.E164(sel), cmdkit.SenderNumber
	}
	textBlock := composeTextBlock(cb)
	f.text = cmdkit.InputValue(cb, textBlock, ComposeTextAction)
	text := f.text
	if text == "" {
		errs[textBlock] = "Write the message."
	} else if phone.Segments(text).TooLong() {
		errs[textBlock] = SegmentNote(text)
	}
	f.loc = time.UTC
	if when := cmdkit.InputValue(cb, ComposeWhen, ComposeWhen); when != "" && !strings.EqualFold(when, "now") {
		f.loc = s.LocationOf(ctx, cb.User.ID)
		t, err := cmdkit.ParseWhen(when, s.Now(), f.loc)
		if err == nil {
			err = cmdkit.CheckScheduleWindow(t, s.Now(), bridge.TelnyxMinAhead, s.ScheduleMaxAhead)
		}
		if err != nil {
			errs[ComposeWhen] = err.Error()
		}
		if len(f.to) > 1 {
			errs[ComposeWhen] = "A group MMS cannot be scheduled."
		}
		if o.Pool {
			errs[ComposeWhen] = "A message from the number pool cannot be scheduled here; pick a number."
		}
		f.at = t
	}
	return f, errs
}

func (s *sms) onComposeSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	f, errs := s.readCompose(ctx, cb)
	o, to, text, at, loc := f.opts, f.to, f.text, f.at, f.loc
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	channel, user := cb.View.PrivateMetadata, cb.User.ID
	in := cmdkit.SendInput{Opts: o, To: to, Text: text, User: user, Channel: channel, Key: bridge.ModalSendKey(cb.View.ID)}
	// No sender named: the channel's own number, if it has one; the
	// refusals are put in words a modal can use (it has no --from).
	if err := s.ResolveFrom(ctx, &in.Opts, channel); err != nil {
		var (
			several *cmdkit.SeveralSenders
			ue      *slackin.UsageError
		)
		switch {
		case errors.As(err, &several):
			return slack.NewErrorsViewSubmissionResponse(map[string]string{ComposeFrom: "Pick the number to send from: this channel sends from several."}), nil
		case errors.As(err, &ue) && !in.Opts.Pool:
			return slack.NewErrorsViewSubmissionResponse(map[string]string{ComposeFromOther: "smsbridge knows no number of ours for this channel: write the number or sender ID to send from."}), nil
		case errors.As(err, &ue):
			return slack.NewErrorsViewSubmissionResponse(map[string]string{ComposeFromOther: ue.Reason}), nil
		default:
			return nil, err
		}
	}
	if at.IsZero() {
		// Sending now only queues it in the outbox: quick enough to answer
		// within the submission, so a refusal keeps the form open with
		// what was typed.
		// Today's usage errors of a send are about the sender.
		q, resp, err := s.submitSend(ctx, &in, ComposeFromOther, ComposeTo)
		if q == nil || err != nil {
			return resp, err
		}
		s.ShowLater(ctx, channel, user, s.queuedAnswer(in, q))
		return nil, nil
	}
	s.In.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		msg, err := s.sched.Schedule(ctx, schedule.Input{SendInput: in, At: at, Loc: loc})
		if err != nil {
			s.Log.Error("compose schedule failed", "err", err)
			msg = slackin.Ephemeral("Not scheduled: " + slackpost.Escape(bridge.Explain(err)) + ".")
		}
		s.Show(ctx, channel, user, msg)
	})
	return nil, nil
}

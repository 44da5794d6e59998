package smscmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/telnyx"
)

func (s *sms) registerSend() {
	s.Cmds.Register(slackin.Command{
		Name:    "send",
		Usage:   "/sms send [--from <number|short code|sender ID> | --pool] [--media <url>] [--confirm-quiet] <to> <text> | --reply <name> <to>",
		Example: "/sms send (312) 555-0123 On our way!",
		Help:    "text a number from this channel's number; the reply comes back in its thread",
		Run:     s.runSend,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "group",
		Usage:   "/sms group [--from <number>] [--media <url>] [--confirm-quiet] <to,to,…> <text>",
		Example: "/sms group +13125550123,+13125550124 Meeting moved to 3pm",
		Help:    "group MMS to up to 8 numbers",
		Run:     s.runGroup,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "whatsapp",
		Usage:   "/sms whatsapp [--from <number>] [--confirm-quiet] <to> <text>",
		Example: "/sms whatsapp +447946000123 Your order has shipped",
		Help:    "send a WhatsApp text",
		Run:     s.runWhatsApp,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "status",
		Usage:   "/sms status <message-id>",
		Example: "/sms status 40385f64-5717-4562-b3fc-2c963f66afa6",
		Help:    "a message's state, recipients, parts, cost and errors",
		Run:     s.runStatus,
	})
	s.In.OnActionPrefix(ActionSendFrom+"_", s.onSendFrom)
}

func (s *sms) runSend(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	o := cmdkit.SendOpts{ReplyOK: true}
	rest, err := o.Consume(req.Rest, s.Region)
	if err != nil {
		return nil, err
	}
	to, text, err := cmdkit.TakeNumbers(rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	text, err = cmdkit.TrailingFlags(&o, text, s.Region)
	if err != nil {
		return nil, err
	}
	if o.Reply != "" {
		if text != "" {
			return nil, slackin.Usagef("Give either a text or --reply <name>, not both.")
		}
		// The reply's {our_number} is the sender's: it is picked first.
		if err := s.ResolveFrom(ctx, &o, req.ChannelID); err != nil {
			return nil, cmdkit.AsUsage(err)
		}
		if text, err = s.fillReply(ctx, o, to[:1], req.UserID); err != nil {
			return nil, err
		}
	}
	if text == "" && len(o.Media) == 0 {
		return nil, slackin.Usagef("Missing the text to send.")
	}
	if o.TheirTime {
		return nil, slackin.Usagef("--their-time is for /sms schedule.")
	}
	return s.sendNow(ctx, cmdkit.SendInput{Opts: o, To: to[:1], Text: text, User: req.UserID, Channel: req.ChannelID, Key: req.TriggerID})
}

func (s *sms) runGroup(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	o, rest, err := cmdkit.ParseFlags(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	to, text, err := cmdkit.TakeNumbers(rest, s.Region, true)
	if err != nil {
		return nil, err
	}
	if text, err = cmdkit.TrailingFlags(&o, text, s.Region); err != nil {
		return nil, err
	}
	if len(to) < 2 || len(to) > 8 {
		return nil, slackin.Usagef("A group MMS goes to 2 to 8 numbers, separated by commas without spaces; got %d.", len(to))
	}
	text = cmdkit.Unslack(text)
	if text == "" && len(o.Media) == 0 {
		return nil, slackin.Usagef("Missing the text to send.")
	}
	return s.sendNow(ctx, cmdkit.SendInput{Opts: o, To: to, Text: text, User: req.UserID, Channel: req.ChannelID, Key: req.TriggerID})
}

// sendNow queues a message to one number (SMS/MMS) or several (group MMS)
// in the outbox, the same way out as a thread reply, and tells the
// teammate where it will show. What happens to it (sent, refused, not
// delivered) shows in its conversation's thread.
func (s *sms) sendNow(ctx context.Context, in cmdkit.SendInput) (*slack.Msg, error) {
	q, err := s.queueSend(ctx, &in)
	var (
		refused *bridge.RefusedError
		several *cmdkit.SeveralSenders
		quiet   *bridge.QuietError
	)
	if errors.As(err, &several) {
		return s.pickSender(in, several), nil
	}
	if errors.As(err, &quiet) {
		return s.sched.AskQuiet(ctx, in, quiet), nil
	}
	if errors.As(err, &refused) {
		return slackin.Ephemeral(slackpost.Escape(refused.Reason)), nil
	}
	if err != nil {
		return nil, err
	}
	return s.queuedAnswer(in, q), nil
}

// queueSend checks in and hands it to the outbox. A refusal is a
// *UsageError (the request is wrong) or a *bridge.RefusedError (the
// opt-out policy).
func (s *sms) queueSend(ctx context.Context, in *cmdkit.SendInput) (*bridge.Queued, error) {
	if err := s.ResolveFrom(ctx, &in.Opts, in.Channel); err != nil {
		return nil, err
	}
	o := in.Opts
	if len(in.To) > 1 && o.Kind != cmdkit.SenderNumber {
		return nil, slackin.Usagef("A group MMS must come from one of our phone numbers, not a %s.", o.Kind)
	}
	if info := phone.Segments(in.Text); in.Kind != bridge.ConvWhatsApp && info.TooLong() {
		return nil, slackin.Usagef("The text is %d SMS parts long; Telnyx sends at most %d. Shorten it.", info.Segments, phone.MaxSegments)
	}
	r := bridge.SendRequest{Key: in.Key, Kind: in.Kind, From: o.From, To: in.To, Text: in.Text, Media: o.Media, AuthorID: in.User, Origin: in.Channel,
		ConfirmQuiet: o.ConfirmQuiet}
	if o.Pool {
		r.From, r.ProfileID = "", s.DefaultProfileID
	}
	if o.Kind == cmdkit.SenderAlpha {
		if s.DefaultProfileID == "" {
			return nil, slackin.Usagef("An alphanumeric sender ID needs TELNYX_MESSAGING_PROFILE_ID (the profile it belongs to) to be set.")
		}
		if len(o.Media) > 0 {
			return nil, slackin.Usagef("An alphanumeric sender ID cannot send media.")
		}
		r.ProfileID = s.DefaultProfileID
	}
	if r.Key == "" {
		// Slack sends a trigger id with every command and submission;
		// without one nothing can recognise a repeat, so each is its own.
		var b [12]byte
		rand.Read(b[:])
		r.Key = bridge.AnonymousSendKey(hex.EncodeToString(b[:]))
	}
	return s.Outbox.Send(ctx, r)
}

// submitSend queues in from a modal's submission. A send into quiet hours
// closes the modal and asks the teammate beside it, in in.Channel; a usage
// error or a refusal keeps the modal open with what was typed and the
// reason on usageBlock or refusedBlock (resp). q is the queued send, nil
// when it was not queued.
func (s *sms) submitSend(ctx context.Context, in *cmdkit.SendInput, usageBlock, refusedBlock string) (q *bridge.Queued, resp *slack.ViewSubmissionResponse, err error) {
	q, err = s.queueSend(ctx, in)
	var (
		ue      *slackin.UsageError
		refused *bridge.RefusedError
		quiet   *bridge.QuietError
	)
	switch {
	case errors.As(err, &quiet):
		s.ShowLater(ctx, in.Channel, in.User, s.sched.AskQuiet(ctx, *in, quiet))
		return nil, nil, nil
	case errors.As(err, &ue):
		return nil, slack.NewErrorsViewSubmissionResponse(map[string]string{usageBlock: ue.Reason}), nil
	case errors.As(err, &refused):
		return nil, slack.NewErrorsViewSubmissionResponse(map[string]string{refusedBlock: refused.Reason}), nil
	}
	return q, nil, err
}

// queuedAnswer tells the teammate where a queued send will show.
func (s *sms) queuedAnswer(in cmdkit.SendInput, q *bridge.Queued) *slack.Msg {
	o := in.Opts
	what := "Sending"
	if in.Kind == bridge.ConvWhatsApp {
		what = "Sending by WhatsApp"
	}
	if q.Pool {
		return slackin.Ephemeral(fmt.Sprintf("%s to %s from the number pool. Once Telnyx picks the number, it shows in that conversation's thread, where replies will come.", what, slackpost.Escape(joinE164(in.To))))
	}
	replies := "and replies will come there"
	switch o.Kind {
	case cmdkit.SenderAlpha:
		replies = "but a sender ID is one-way: the recipient cannot reply to it"
	case cmdkit.SenderShortCode:
		replies = "and replies come there only if the short code takes texts back (two-way) at Telnyx"
	}
	return slackin.Ephemeral(fmt.Sprintf("%s to %s from %s. It shows in its conversation's thread in <#%s>, with its delivery state, %s.",
		what, slackpost.Escape(joinE164(in.To)), slackpost.Escape(slackpost.FormatNumber(o.From)), q.Channel, replies))
}

// ActionSendFrom starts the action_id of a "Send from …" button
// (ActionSendFrom_0, _1, …): the teammate picks which of the channel's
// numbers a message goes from. Its value is a pickedSend.
const ActionSendFrom = "sms_send_from"

// pickedSend is what a "Send from …" button carries: the message, waiting
// for its sender.
type pickedSend struct {
	From  bridge.E164   `json:"f"`
	To    []bridge.E164 `json:"t"`
	Text  string        `json:"x"`
	Kind  string        `json:"k,omitempty"`
	Media []string      `json:"m,omitempty"`
}

// pickSender asks which number to send from, with a button per number;
// when the message is too long to ride on a button, it asks for --from.
func (s *sms) pickSender(in cmdkit.SendInput, several *cmdkit.SeveralSenders) *slack.Msg {
	text := "This channel sends from several numbers. Which should this go from?"
	var buttons []slack.BlockElement
	for _, n := range several.Nums {
		v, _ := json.Marshal(pickedSend{From: n, To: in.To, Text: in.Text, Kind: in.Kind, Media: in.Opts.Media})
		if len(v) > 2000 || len(buttons) == 25 { // Slack's limits for a button's value and an actions block
			return slackin.Ephemeral(slackpost.Escape(several.Error()))
		}
		// Slack refuses two buttons with one action_id in a block: each is
		// ActionSendFrom plus its place.
		buttons = append(buttons, slack.NewButtonBlockElement(fmt.Sprintf("%s_%d", ActionSendFrom, len(buttons)), string(v), slackpost.Plain("Send from "+slackpost.FormatNumber(n))))
	}
	return cmdkit.MsgWithBlocks(text, slack.NewSectionBlock(slackpost.Mrkdwn(text), nil, nil), slack.NewActionBlock("sms_send_from", buttons...))
}

// onSendFrom sends a message from the number its button names.
func (s *sms) onSendFrom(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	var p pickedSend
	if err := json.Unmarshal([]byte(a.Value), &p); err != nil || p.From == "" || len(p.To) == 0 {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: "This button no longer works; send the message again."})
	}
	in := cmdkit.SendInput{Key: bridge.PickedSendKey(cb.TriggerID), Kind: p.Kind, Opts: cmdkit.SendOpts{From: p.From, Kind: cmdkit.SenderNumber, Media: p.Media},
		To: p.To, Text: p.Text, User: cb.User.ID, Channel: cb.Channel.ID}
	msg, err := s.sendNow(ctx, in)
	var ue *slackin.UsageError
	switch {
	case errors.As(err, &ue):
		msg = slackin.Ephemeral(slackpost.Escape(ue.Reason))
	case err != nil:
		return err
	}
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

func joinE164(ns []bridge.E164) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = slackpost.FormatNumber(n)
	}
	return strings.Join(out, ", ")
}

func (s *sms) runWhatsApp(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	o, rest, err := cmdkit.ParseFlags(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	to, text, err := cmdkit.TakeNumbers(rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	if text, err = cmdkit.TrailingFlags(&o, text, s.Region); err != nil {
		return nil, err
	}
	n := to[0]
	if text == "" {
		return nil, slackin.Usagef("Missing the text to send.")
	}
	if len(o.Media) > 0 {
		return nil, slackin.Usagef("--media is not supported for WhatsApp here.")
	}
	in := cmdkit.SendInput{Opts: o, To: []bridge.E164{n}, Text: text, User: req.UserID, Channel: req.ChannelID, Key: req.TriggerID, Kind: bridge.ConvWhatsApp}
	if err := s.ResolveFrom(ctx, &in.Opts, req.ChannelID); err != nil {
		var several *cmdkit.SeveralSenders
		if errors.As(err, &several) {
			return s.pickSender(in, several), nil
		}
		return nil, err
	}
	if in.Opts.Kind != cmdkit.SenderNumber || in.Opts.Pool {
		return nil, slackin.Usagef("WhatsApp needs one of our phone numbers as the sender.")
	}
	return s.sendNow(ctx, in)
}

func (s *sms) runStatus(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if len(req.Args) != 1 {
		return nil, slackin.Usagef("Give one message id.")
	}
	id := req.Args[0]
	m, err := s.API.GetMessage(ctx, id)
	if telnyx.IsNotFound(err) {
		return slackin.Ephemeral(fmt.Sprintf("Telnyx has no message `%s`. Telnyx keeps messages for 10 days only: if it is older, it can no longer be looked up (an MDR report still has it).", slackpost.Escape(id))), nil
	}
	if err != nil {
		return slackin.Ephemeral("Could not read the message: " + slackpost.Escape(cmdkit.TelnyxReason(err))), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Message* `%s` (%s, %s)\n", slackpost.Escape(m.ID), slackpost.Escape(m.Direction), slackpost.Escape(m.Type))
	fmt.Fprintf(&b, "From: %s\n", slackpost.Escape(slackpost.FormatNumber(bridge.E164(m.From.PhoneNumber))))
	for _, t := range m.To {
		fmt.Fprintf(&b, "To: %s — *%s*", slackpost.Escape(slackpost.FormatNumber(bridge.E164(t.PhoneNumber))), slackpost.Escape(t.Status))
		if t.Carrier != "" {
			fmt.Fprintf(&b, " (%s)", slackpost.Escape(t.Carrier))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Parts: %d, encoding %s\n", m.Parts, slackpost.Escape(m.Encoding))
	if m.Cost != nil {
		fmt.Fprintf(&b, "Cost: %s %s\n", slackpost.Escape(m.Cost.Amount), slackpost.Escape(m.Cost.Currency))
	}
	if !m.SendAt.IsZero() {
		fmt.Fprintf(&b, "Scheduled for: %s\n", cmdkit.FormatWhen(m.SendAt.Time, s.LocationOf(ctx, req.UserID)))
	}
	if !m.CompletedAt.IsZero() {
		fmt.Fprintf(&b, "Completed: %s\n", m.CompletedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	for _, e := range m.Errors {
		fmt.Fprintf(&b, "Error: %s\n", slackpost.Escape(e.String()))
	}
	b.WriteString("_Telnyx keeps messages for 10 days; after that `/sms status` cannot find them._")
	return slackin.Ephemeral(b.String()), nil
}

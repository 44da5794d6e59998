package ournumbers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

func (s *commands) registerBulk() {
	s.Cmds.Register(slackin.Command{
		Name:    "bulk",
		Usage:   "/sms bulk [<profile-id> <number> <number> …]",
		Example: "/sms bulk 4000eba1-a0c0-4563-9925-b25e842a7cb6 +18445550001 +18445550002",
		Help:    "move numbers to a messaging profile in one bulk order, with live progress (alone: a form for a long list)",
		Admin:   true,
		Run:     s.runBulk,
	})
	s.In.OnSubmit(BulkCallbackID, s.onBulkSubmit)
	s.In.OnAction(ActionBulkConfirm, s.onBulkConfirm)
	s.In.OnAction(ActionBulkCancel, s.onBulkCancel)
}

// Bulk moves confirm first, as single-number changes do: the answer says
// who asked, how many numbers and which profile, with Confirm and Cancel.
// The request is held in the store (a list can be far longer than a
// button's value holds, and the press may reach another replica) for
// bulkConfirmTTL; a Confirm after that asks to run the command again.
const (
	ActionBulkConfirm = "sms_bulk_confirm"
	ActionBulkCancel  = "sms_bulk_cancel"
	bulkConfirmTTL    = 15 * time.Minute
	bulkHold          = "bulk" // the kind of confirmation held
)

// pendingBulk is the request held for its Confirm.
type pendingBulk struct {
	Profile string   `json:"profile"`
	Nums    []string `json:"nums"`
}

// confirmBulk holds the request and asks the admin to confirm it.
func (s *commands) confirmBulk(ctx context.Context, user, channel, profile string, nums []string) (*slack.Msg, error) {
	token, err := s.Bridge.HoldConfirmation(ctx, bulkHold, user, channel, pendingBulk{Profile: profile, Nums: nums}, bulkConfirmTTL)
	if err != nil {
		return nil, err
	}
	shown := nums
	more := ""
	if len(shown) > 10 {
		shown, more = shown[:10], fmt.Sprintf(" and %d more", len(nums)-10)
	}
	list := make([]string, len(shown))
	for i, n := range shown {
		list[i] = slackpost.FormatNumber(bridge.E164(n))
	}
	text := fmt.Sprintf("%s asks to move *%d number(s)* to messaging profile `%s`: %s%s. Their texts will follow that profile's settings (webhooks, number pool, opt-outs). Confirm?",
		slackpost.Mention(user), len(nums), slackpost.Escape(profile), slackpost.Escape(strings.Join(list, ", ")), more)
	confirm := slack.NewButtonBlockElement(ActionBulkConfirm, token, slackpost.Plain("Confirm")).WithStyle(slack.StylePrimary)
	cancel := slack.NewButtonBlockElement(ActionBulkCancel, token, slackpost.Plain("Cancel"))
	return cmdkit.MsgWithBlocks(text, slack.NewSectionBlock(slackpost.Mrkdwn(text), nil, nil), slack.NewActionBlock("sms_bulk_confirm", confirm, cancel)), nil
}

func (s *commands) onBulkConfirm(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	if ok, err := s.IsAdmin(ctx, cb.User.ID); err != nil || !ok {
		return s.Respond(ctx, cb, slackin.Ephemeral("Bulk updates are for smsbridge admins."))
	}
	var p pendingBulk
	held, err := s.Bridge.TakeConfirmation(ctx, bulkHold, a.Value, &p)
	if errors.Is(err, bridge.ErrNotFound) {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: "This confirmation has expired; nothing was changed. Run `/sms bulk` again."})
	}
	if err != nil {
		return err // the engine's retry contract does not reach buttons: the log has it
	}
	msg := s.startBulk(ctx, cb.User.ID, held.Channel, p.Profile, p.Nums)
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

func (s *commands) onBulkCancel(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	var p pendingBulk
	if _, err := s.Bridge.TakeConfirmation(ctx, bulkHold, a.Value, &p); err != nil && !errors.Is(err, bridge.ErrNotFound) {
		return err
	}
	return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: "Bulk update cancelled; nothing was changed."})
}

func (s *commands) runBulk(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if len(req.Args) == 0 {
		// No arguments: a modal with a text area for a long list.
		if _, err := s.Slack.OpenViewContext(ctx, req.TriggerID, bulkView(req.ChannelID)); err != nil {
			return slackin.Ephemeral("Could not open the form: " + slackpost.Escape(s.SlackReason(err)) + "."), nil
		}
		return nil, nil
	}
	if len(req.Args) < 2 {
		return nil, slackin.Usagef("Give a profile id and at least one number.")
	}
	profile := req.Args[0]
	if _, err := cmdkit.ParseNumber(profile, s.Region); err == nil {
		return nil, slackin.Usagef("The first argument is the messaging profile id, then the numbers.")
	}
	_, rest := cmdkit.NextToken(req.Rest)
	nums, err := s.bulkNumbers(rest)
	if err != nil {
		return nil, err
	}
	return s.confirmBulk(ctx, req.UserID, req.ChannelID, profile, nums)
}

// bulkNumbers reads numbers separated by spaces, commas or new lines.
func (s *commands) bulkNumbers(rest string) ([]string, error) {
	var nums []string
	rest = strings.ReplaceAll(rest, "\n", ",")
	rest = strings.ReplaceAll(rest, "\r", "")
	for strings.TrimSpace(rest) != "" {
		ns, r, err := cmdkit.TakeNumbers(rest, s.Region, true)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if !containsString(nums, string(n)) {
				nums = append(nums, string(n))
			}
		}
		rest = strings.TrimLeft(r, " ,")
	}
	if len(nums) == 0 {
		return nil, slackin.Usagef("Give at least one number.")
	}
	return nums, nil
}

// The bulk modal.
const (
	BulkCallbackID = "sms_bulk"
	bulkProfile    = "profile"
	bulkNumbersID  = "numbers"
)

func bulkView(channel string) slack.ModalViewRequest {
	profile := slack.NewInputBlock(bulkProfile, slackpost.Plain("Messaging profile id"), nil,
		slack.NewPlainTextInputBlockElement(slackpost.Plain("4000eba1-a0c0-4563-9925-b25e842a7cb6"), bulkProfile))
	area := slack.NewPlainTextInputBlockElement(slackpost.Plain("One number per line (or separated by commas)"), bulkNumbersID)
	area.Multiline = true
	nums := slack.NewInputBlock(bulkNumbersID, slackpost.Plain("Numbers"), nil, area)
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: BulkCallbackID, Title: slackpost.Plain("Bulk profile update"),
		Submit: slackpost.Plain("Start"), Close: slackpost.Plain("Cancel"), PrivateMetadata: channel, Blocks: slack.Blocks{BlockSet: []slack.Block{profile, nums}}}
}

func (s *commands) onBulkSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if ok, err := s.IsAdmin(ctx, cb.User.ID); err != nil || !ok {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{bulkProfile: "Bulk updates are for smsbridge admins."}), nil
	}
	profile := cmdkit.InputValue(cb, bulkProfile, bulkProfile)
	if profile == "" || strings.ContainsAny(profile, " \t") {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{bulkProfile: "Give one messaging profile id."}), nil
	}
	nums, err := s.bulkNumbers(cmdkit.InputValue(cb, bulkNumbersID, bulkNumbersID))
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{bulkNumbersID: err.Error()}), nil
	}
	user, channel := cb.User.ID, cb.View.PrivateMetadata
	msg, err := s.confirmBulk(ctx, user, channel, profile, nums)
	if err != nil {
		s.Log.Error("bulk confirmation not held", "err", err)
		msg = slackin.Ephemeral("Could not keep the request for its Confirm: " + slackpost.Escape(bridge.Explain(err)) + ". Nothing was changed.")
	}
	s.Show(ctx, channel, user, msg)
	return nil, nil
}

// startBulk starts the order, notes the admin change and follows the
// order's progress in a message in the inbox channel.
func (s *commands) startBulk(ctx context.Context, user, cmdChannel, profile string, nums []string) *slack.Msg {
	order, err := s.API.BulkUpdateProfiles(ctx, telnyxacct.BulkUpdateRequest{MessagingProfileID: profile, Numbers: nums})
	if err != nil {
		return slackin.Ephemeral("Telnyx did not start the bulk update: " + slackpost.Escape(cmdkit.TelnyxReason(err)))
	}
	s.AdminChange(ctx, user, fmt.Sprintf("started bulk update %s: %d number(s) to messaging profile %s", order.OrderID, len(nums), profile))
	// The progress message is the team's: it goes to the inbox channel and
	// is updated until the order finishes.
	channel := s.InboxChannel
	if channel == "" {
		channel = cmdChannel
	}
	_, ts, err := s.Slack.PostMessageContext(ctx, channel, slack.MsgOptionText(bulkText(order, profile, false), false))
	if err != nil {
		return slackin.Ephemeral(fmt.Sprintf("Bulk update `%s` started, but its progress message could not be posted: %s.", order.OrderID, slackpost.Escape(s.SlackReason(err))))
	}
	// Follow the order after the button has answered.
	s.In.Go(func() {
		s.followBulk(context.WithoutCancel(ctx), channel, ts, order.OrderID, profile)
	})
	return slackin.Ephemeral(fmt.Sprintf("Bulk update `%s` started for %d number(s); its progress is in <#%s>.", order.OrderID, len(nums), channel))
}

func bulkText(b *telnyxacct.BulkUpdate, profile string, final bool) string {
	state := "in progress"
	if final {
		state = "finished"
	}
	text := fmt.Sprintf("Bulk update `%s` to profile `%s` %s: %d done, %d pending, %d failed.", b.OrderID, slackpost.Escape(profile), state, len(b.Success), len(b.Pending), len(b.Failed))
	if final && len(b.Failed) > 0 {
		text += " Failed: " + slackpost.Escape(strings.Join(b.Failed, ", "))
	}
	return text
}

// followBulk polls the order and updates the progress message until the
// order is done (or an hour has passed).
func (s *commands) followBulk(ctx context.Context, channel, ts, orderID, profile string) {
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	last := ""
	t := time.NewTicker(s.BulkPoll)
	defer t.Stop()
	for {
		b, err := s.API.GetBulkUpdate(ctx, orderID)
		if err != nil {
			s.Log.Warn("bulk update progress", "order", orderID, "err", err)
		} else {
			text := bulkText(b, profile, b.Done())
			if text != last {
				if _, _, _, err := s.Slack.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(text, false)); err != nil {
					s.Log.Warn("bulk update progress message", "err", err)
				}
				last = text
			}
			if b.Done() {
				s.Log.Info("bulk update finished", "order", orderID, "done", len(b.Success), "failed", len(b.Failed))
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

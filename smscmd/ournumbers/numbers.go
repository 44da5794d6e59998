package ournumbers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// Action ids of the number-setting confirmation buttons; the value is
// "<number id>|<field>|<new value>|<E.164>".
const (
	ActionNumberConfirm = "sms_number_confirm"
	ActionNumberAbort   = "sms_number_abort"
)

func (s *commands) registerNumbers() {
	s.In.OnAction(ActionNumbersMore, s.onNumbersMore)
	s.Cmds.Register(slackin.Command{
		Name:    "numbers",
		Usage:   "/sms numbers [--mobile]",
		Example: "/sms numbers",
		Help:    "our numbers with their messaging profile, product, type and health",
		Run:     s.runNumbers,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "number",
		Usage:   "/sms number <number> [profile <profile-id> | product <product>]",
		Example: "/sms number +18445550001 product A2P",
		Help:    "one number's messaging settings; admins can change its profile or product (after a confirmation)",
		Run:     s.runNumber,
	})
	s.In.OnAction(ActionNumberConfirm, s.onNumberConfirm)
	s.In.OnAction(ActionNumberAbort, func(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: "No change made."})
	})
}

const numbersPage = 50

// ActionNumbersMore shows the next page of /sms numbers; its value is
// "numbers:<page>" or "mobile:<page>".
const ActionNumbersMore = "sms_numbers_more"

func (s *commands) runNumbers(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	mobile := false
	for _, a := range req.Args {
		if a != "--mobile" {
			return nil, slackin.Usagef("Unknown argument %q.", a)
		}
		mobile = true
	}
	return s.numbersPage(ctx, mobile, 1), nil
}

func (s *commands) onNumbersMore(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	kind, p, _ := strings.Cut(a.Value, ":")
	page, err := strconv.Atoi(p)
	if err != nil || page < 1 || (kind != "numbers" && kind != "mobile") {
		return fmt.Errorf("bad numbers page %q", a.Value)
	}
	msg := s.numbersPage(ctx, kind == "mobile", page)
	msg.ReplaceOriginal = true
	return s.Respond(ctx, cb, msg)
}

// numbersPage lists one page of our numbers (or mobile numbers) with the
// true total and a More button while there are more.
func (s *commands) numbersPage(ctx context.Context, mobile bool, page int) *slack.Msg {
	var b strings.Builder
	var meta telnyxacct.PageMeta
	var n int
	kind := "numbers"
	if mobile {
		kind = "mobile"
		ns, m, err := s.API.ListMobileNumberSettingsPage(ctx, page, numbersPage)
		if err != nil {
			return slackin.Ephemeral("Could not list the mobile numbers: " + slackpost.Escape(cmdkit.TelnyxReason(err)) + ".")
		}
		meta, n = m, len(ns)
		fmt.Fprintf(&b, "*Our mobile numbers* (page %d of %d, %d in all)\n", page, max(meta.TotalPages, 1), meta.TotalResults)
		for _, n := range ns {
			fmt.Fprintf(&b, "• %s — profile `%s` — product %s — %s\n", slackpost.Escape(slackpost.FormatNumber(bridge.E164(n.PhoneNumber))), slackpost.Escape(cmdkit.OrNone(n.MessagingProfileID)), slackpost.Escape(cmdkit.OrNone(n.MessagingProduct)), slackpost.Escape(cmdkit.OrNone(n.Type)))
		}
	} else {
		ns, m, err := s.API.ListNumberSettingsPage(ctx, telnyxacct.NumberFilter{}, page, numbersPage)
		if err != nil {
			return slackin.Ephemeral("Could not list the numbers: " + slackpost.Escape(cmdkit.TelnyxReason(err)) + ".")
		}
		meta, n = m, len(ns)
		fmt.Fprintf(&b, "*Our numbers* (page %d of %d, %d in all)\n", page, max(meta.TotalPages, 1), meta.TotalResults)
		for _, n := range ns {
			fmt.Fprintf(&b, "• %s — profile `%s` — product %s — %s — %s\n", slackpost.Escape(slackpost.FormatNumber(bridge.E164(n.PhoneNumber))), slackpost.Escape(cmdkit.OrNone(n.MessagingProfileID)), slackpost.Escape(cmdkit.OrNone(n.MessagingProduct)), slackpost.Escape(cmdkit.OrNone(n.Type)), health(n.Health))
		}
	}
	if n == 0 && page == 1 {
		return slackin.Ephemeral("Telnyx lists no numbers on this account.")
	}
	blocks := cmdkit.SectionsOf(b.String())
	if page < meta.TotalPages {
		more := slack.NewButtonBlockElement(ActionNumbersMore, fmt.Sprintf("%s:%d", kind, page+1), slackpost.Plain("More"))
		blocks = append(blocks, slack.NewActionBlock("", more))
	}
	return cmdkit.MsgWithBlocks(b.String(), blocks...)
}

func health(h *telnyxacct.NumberHealth) string {
	if h == nil {
		return "health unknown"
	}
	return fmt.Sprintf("health: %d msgs, %.0f%% success, %.1f%% spam", h.MessageCount, h.SuccessRatio*100, h.SpamRatio*100)
}

func (s *commands) runNumber(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if req.Rest == "" {
		return nil, slackin.Usagef("Missing the number.")
	}
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	num := nums[0]
	args := slackin.SplitArgs(rest)
	var field, value string
	switch len(args) {
	case 0:
	case 2:
		field, value = strings.ToLower(args[0]), args[1]
		if field != "profile" && field != "product" {
			return nil, slackin.Usagef("You can change a number's `profile` or `product`, not %q.", args[0])
		}
	default:
		return nil, slackin.Usagef("Give a number, optionally followed by `profile <profile-id>` or `product <product>`.")
	}
	n, err := s.API.NumberSettingsByE164(ctx, string(num))
	if errors.Is(err, telnyxacct.ErrNumberNotFound) {
		return slackin.Ephemeral(fmt.Sprintf("%s is not one of our Telnyx numbers.", slackpost.Escape(slackpost.FormatNumber(num)))), nil
	}
	if err != nil {
		return slackin.Ephemeral("Could not read the number: " + slackpost.Escape(cmdkit.TelnyxReason(err))), nil
	}
	if field == "" {
		return slackin.Ephemeral(describeNumber(n)), nil
	}
	if ok, err := s.IsAdmin(ctx, req.UserID); err != nil {
		return slackin.Ephemeral("Could not check your permissions with Slack; please try again."), nil
	} else if !ok {
		return slackin.Ephemeral("Sorry, changing a number's profile or product is for smsbridge admins. Ask an admin if this needs doing."), nil
	}
	if field == "product" {
		value = strings.ToUpper(value)
		if len(n.EligibleMessagingProducts) > 0 && !containsString(n.EligibleMessagingProducts, value) {
			return nil, slackin.Usagef("%s cannot use product %s; it is eligible for %s.", slackpost.FormatNumber(num), value, strings.Join(n.EligibleMessagingProducts, ", "))
		}
	}
	current := n.MessagingProfileID
	if field == "product" {
		current = n.MessagingProduct
	}
	q := fmt.Sprintf("Change the messaging %s of %s from `%s` to `%s`?", field, slackpost.Escape(slackpost.FormatNumber(num)), slackpost.Escape(cmdkit.OrNone(current)), slackpost.Escape(value))
	val := strings.Join([]string{n.ID, field, value, string(num)}, "|")
	yes := slack.NewButtonBlockElement(ActionNumberConfirm, val, slackpost.Plain("Change it")).WithStyle(slack.StylePrimary)
	no := slack.NewButtonBlockElement(ActionNumberAbort, "", slackpost.Plain("Cancel"))
	return cmdkit.MsgWithBlocks(q, slack.NewSectionBlock(slackpost.Mrkdwn(q), nil, nil), slack.NewActionBlock("", yes, no)), nil
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func describeNumber(n *telnyxacct.NumberSettings) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* (id `%s`)\n", slackpost.Escape(slackpost.FormatNumber(bridge.E164(n.PhoneNumber))), slackpost.Escape(n.ID))
	fmt.Fprintf(&b, "Messaging profile: `%s`\n", slackpost.Escape(cmdkit.OrNone(n.MessagingProfileID)))
	fmt.Fprintf(&b, "Product: %s (eligible: %s)\n", slackpost.Escape(cmdkit.OrNone(n.MessagingProduct)), slackpost.Escape(cmdkit.OrNone(strings.Join(n.EligibleMessagingProducts, ", "))))
	fmt.Fprintf(&b, "Type: %s, traffic: %s, country: %s\n", slackpost.Escape(cmdkit.OrNone(n.Type)), slackpost.Escape(cmdkit.OrNone(n.TrafficType)), slackpost.Escape(cmdkit.OrNone(n.CountryCode)))
	feat := func(f *telnyxacct.FeatureSet) string {
		if f == nil {
			return "no"
		}
		return fmt.Sprintf("domestic two-way %t, international in %t / out %t", f.DomesticTwoWay, f.InternationalInbound, f.InternationalOutbound)
	}
	fmt.Fprintf(&b, "SMS: %s\nMMS: %s\n", feat(n.Features.SMS), feat(n.Features.MMS))
	b.WriteString(health(n.Health))
	return b.String()
}

func (s *commands) onNumberConfirm(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	parts := strings.SplitN(a.Value, "|", 4)
	if len(parts) != 4 {
		return fmt.Errorf("bad number confirmation value")
	}
	id, field, value, num := parts[0], parts[1], parts[2], parts[3]
	user := cb.User.ID
	if ok, err := s.IsAdmin(ctx, user); err != nil || !ok {
		return s.Respond(ctx, cb, slackin.Ephemeral("Sorry, changing a number's settings is for smsbridge admins."))
	}
	u := telnyxacct.NumberSettingsUpdate{}
	if field == "profile" {
		u.MessagingProfileID = &value
	} else {
		u.MessagingProduct = &value
	}
	if _, err := s.API.UpdateNumberSettings(ctx, id, u); err != nil {
		return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: fmt.Sprintf("Telnyx did not change %s: %s", slackpost.Escape(slackpost.FormatNumber(bridge.E164(num))), slackpost.Escape(cmdkit.TelnyxReason(err)))})
	}
	s.AdminChange(ctx, user, fmt.Sprintf("set the messaging %s of %s to %s", field, num, value))
	return s.Respond(ctx, cb, &slack.Msg{ReplaceOriginal: true, Text: fmt.Sprintf("Done: the messaging %s of %s is now `%s`.", field, slackpost.Escape(slackpost.FormatNumber(bridge.E164(num))), slackpost.Escape(value))})
}

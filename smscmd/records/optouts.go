package records

import (
	"context"
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

// ActionOptOutsMore shows the next page of opt-outs; its value is the page.
const ActionOptOutsMore = "sms_optouts_more"

const optOutsPage = 20

func (s *commands) registerOptOuts() {
	s.Cmds.Register(slackin.Command{
		Name:    "optouts",
		Usage:   "/sms optouts [number]",
		Example: "/sms optouts (312) 555-0123",
		Help:    "whether a number opted out (when, keyword, profile), or the list of opt-outs",
		Run:     s.runOptOuts,
	})
	s.In.OnAction(ActionOptOutsMore, func(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
		page, err := strconv.Atoi(a.Value)
		if err != nil || page < 1 {
			return fmt.Errorf("bad opt-outs page %q", a.Value)
		}
		msg := s.optOutsPage(ctx, page)
		msg.ReplaceOriginal = true
		return s.Respond(ctx, cb, msg)
	})
}

func (s *commands) runOptOuts(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if req.Rest == "" {
		return s.optOutsPage(ctx, 1), nil
	}
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(rest) != "" {
		return nil, slackin.Usagef("Give at most one number.")
	}
	num := nums[0]
	// Telnyx filters opt-outs by our side (from); the recipient is matched
	// here, page by page.
	var found []telnyxacct.OptOut
	for page := 1; ; page++ {
		items, meta, err := s.API.ListOptOutsPage(ctx, telnyxacct.OptOutFilter{}, page, telnyxacct.MaxPageSize)
		if err != nil {
			return slackin.Ephemeral("Could not read the opt-outs: " + slackpost.Escape(cmdkit.TelnyxReason(err))), nil
		}
		for _, o := range items {
			if o.To == string(num) {
				found = append(found, o)
			}
		}
		if page >= meta.TotalPages || len(items) == 0 {
			break
		}
	}
	var b strings.Builder
	for _, o := range found {
		// Telnyx's list is one of the policy's sources: what it knows,
		// smsbridge now refuses too.
		if _, err := s.Bridge.LearnTelnyxOptOut(ctx, o); err != nil {
			s.Log.Warn("record an opt-out from Telnyx's list", "err", err)
		}
		fmt.Fprintf(&b, "Telnyx: %s opted out of %s on %s with %q (profile `%s`).\n", slackpost.Escape(slackpost.FormatNumber(num)), slackpost.Escape(slackpost.FormatNumber(bridge.E164(o.From))),
			o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), slackpost.Escape(o.Keyword), slackpost.Escape(cmdkit.OrNone(o.MessagingProfileID)))
	}
	history, err := s.Bridge.OptOutHistory(ctx, num)
	if err != nil {
		return nil, err
	}
	for _, h := range history {
		b.WriteString(consentLine(num, h))
	}
	if b.Len() == 0 {
		return slackin.Ephemeral(fmt.Sprintf("%s has not opted out.", slackpost.Escape(slackpost.FormatNumber(num)))), nil
	}
	return slackin.Ephemeral(b.String()), nil
}

// consentLine is one entry of a number's consent history as smsbridge
// recorded it: the opt-out (source, keyword and text, or the teammate) and
// the opt-in that lifted it (keyword, or the teammate, and where).
func consentLine(num bridge.E164, h bridge.OptOutRecord) string {
	from := slackpost.FormatNumber(h.From)
	if h.From == "" {
		from = "profile `" + h.ProfileID + "`"
	}
	how := map[string]string{"keyword": "texted", "telnyx_40300": "Telnyx refused a text (40300)", "telnyx_list": "on Telnyx's list",
		"manual": "recorded by " + slackpost.Mention(h.SetBy)}[h.Source]
	line := fmt.Sprintf("smsbridge: %s opted out of %s on %s (%s", slackpost.Escape(slackpost.FormatNumber(num)), slackpost.Escape(from), h.At.UTC().Format("2006-01-02 15:04 UTC"), how)
	if h.Keyword != "" {
		line += " " + slackpost.Escape(h.Keyword)
	}
	if h.Text != "" && !strings.EqualFold(strings.TrimSpace(h.Text), h.Keyword) {
		line += fmt.Sprintf(": %q", slackpost.Escape(slackpost.Truncate(h.Text, 80)))
	}
	line += ")"
	switch {
	case h.LiftedAt == nil:
		line += "; smsbridge does not text them"
	case h.LiftedByUser != "":
		line += fmt.Sprintf("; opted back in on %s, recorded by %s", h.LiftedAt.UTC().Format("2006-01-02 15:04 UTC"), slackpost.Mention(h.LiftedByUser))
	default:
		line += fmt.Sprintf("; opted back in on %s", h.LiftedAt.UTC().Format("2006-01-02 15:04 UTC"))
		if h.LiftedBy != "" {
			line += " (texted " + slackpost.Escape(h.LiftedBy)
			if h.LiftedNumber != "" && h.LiftedNumber != h.From {
				line += " to " + slackpost.Escape(slackpost.FormatNumber(h.LiftedNumber))
			}
			line += ")"
		}
	}
	return line + ".\n"
}

func (s *commands) optOutsPage(ctx context.Context, page int) *slack.Msg {
	items, meta, err := s.API.ListOptOutsPage(ctx, telnyxacct.OptOutFilter{}, page, optOutsPage)
	if err != nil {
		return slackin.Ephemeral("Could not read the opt-outs: " + slackpost.Escape(cmdkit.TelnyxReason(err)))
	}
	if len(items) == 0 && page == 1 {
		return slackin.Ephemeral("Nobody has opted out.")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Opt-outs* (page %d of %d, %d in all)\n", page, max(meta.TotalPages, 1), meta.TotalResults)
	for _, o := range items {
		fmt.Fprintf(&b, "• %s from %s — %q on %s — profile `%s`\n", slackpost.Escape(slackpost.FormatNumber(bridge.E164(o.To))), slackpost.Escape(slackpost.FormatNumber(bridge.E164(o.From))),
			slackpost.Escape(o.Keyword), o.CreatedAt.UTC().Format("2006-01-02"), slackpost.Escape(cmdkit.OrNone(o.MessagingProfileID)))
	}
	blocks := cmdkit.SectionsOf(b.String())
	if page < meta.TotalPages {
		more := slack.NewButtonBlockElement(ActionOptOutsMore, strconv.Itoa(page+1), slackpost.Plain("More"))
		blocks = append(blocks, slack.NewActionBlock("", more))
	}
	return cmdkit.MsgWithBlocks(b.String(), blocks...)
}

package ournumbers

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

func (s *commands) registerRoute() {
	s.Cmds.Register(slackin.Command{
		Name:    "route",
		Usage:   "/sms route <our-number> [#channel]",
		Example: "/sms route +18445550001 #support",
		Help:    "show or set which channel a number's conversations go to (overrides SLACK_ROUTES)",
		Admin:   true,
		Run:     s.runRoute,
	})
}

func (s *commands) runRoute(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if req.Rest == "" {
		return nil, slackin.Usagef("Give our number, and the channel to route it to.")
	}
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	num := nums[0]
	rest = strings.TrimSpace(rest)
	if rest == "" {
		ch, err := s.Bridge.ChannelFor(ctx, num)
		if err != nil {
			return nil, err
		}
		return slackin.Ephemeral(fmt.Sprintf("Conversations with %s go to <#%s>.", slackpost.Escape(slackpost.FormatNumber(num)), ch)), nil
	}
	ch, ok := cmdkit.ParseChannel(rest)
	if !ok && strings.HasPrefix(rest, "#") {
		var err error
		if ch, ok, err = s.channelByName(ctx, strings.TrimPrefix(rest, "#")); err != nil {
			return slackin.Ephemeral("Could not look the channel up in Slack: " + slackpost.Escape(s.SlackReason(err)) + "."), nil
		}
	}
	if !ok {
		return nil, slackin.Usagef("%q is not a channel I can find: write it as #name (or give its id, like C0123ABCD).", rest)
	}
	if err := s.Bridge.SetRoute(ctx, num, ch, req.UserID); err != nil {
		return nil, err
	}
	s.AdminChange(ctx, req.UserID, fmt.Sprintf("routed %s to channel %s", num, ch))
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral,
		Text: fmt.Sprintf("New conversations with %s now go to <#%s>. Existing threads stay where they are.", slackpost.Escape(slackpost.FormatNumber(bridge.E164(num))), ch)}, nil
}

// channelByName finds a channel by name (slash command text is not escaped,
// so "#support" arrives as typed).
func (s *commands) channelByName(ctx context.Context, name string) (string, bool, error) {
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 1000}
	for {
		chans, cursor, err := s.Slack.GetConversationsContext(ctx, params)
		if err != nil {
			return "", false, err
		}
		for _, c := range chans {
			if c.Name == name {
				return c.ID, true, nil
			}
		}
		if cursor == "" {
			return "", false, nil
		}
		params.Cursor = cursor
	}
}

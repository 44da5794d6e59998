package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/telnyx"
)

func (s *sms) registerBulk() {
	s.cmds.Register(Command{
		Name:    "bulk",
		Usage:   "/sms bulk <profile-id> <number> <number> …",
		Example: "/sms bulk 4000eba1-a0c0-4563-9925-b25e842a7cb6 +18445550001 +18445550002",
		Help:    "move numbers to a messaging profile in one bulk order, with live progress",
		Admin:   true,
		Run:     s.runBulk,
	})
}

func (s *sms) runBulk(ctx context.Context, req *CommandRequest) (*slack.Msg, error) {
	if len(req.Args) < 2 {
		return nil, Usagef("Give a profile id and at least one number.")
	}
	profile := req.Args[0]
	if _, err := ParseNumber(profile, s.Region); err == nil {
		return nil, Usagef("The first argument is the messaging profile id, then the numbers.")
	}
	var nums []string
	_, rest := nextToken(req.Rest)
	for strings.TrimSpace(rest) != "" {
		ns, r, err := takeNumbers(rest, s.Region, true)
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
	order, err := s.API.BulkUpdateProfiles(ctx, telnyx.BulkUpdateRequest{MessagingProfileID: profile, Numbers: nums})
	if err != nil {
		return Ephemeral("Telnyx did not start the bulk update: " + Escape(telnyxReason(err))), nil
	}
	s.adminChange(ctx, req.UserID, fmt.Sprintf("started bulk update %s: %d number(s) to messaging profile %s", order.OrderID, len(nums), profile))
	// The progress message is the team's: it goes to the inbox channel and
	// is updated until the order finishes.
	channel := s.InboxChannel
	if channel == "" {
		channel = req.ChannelID
	}
	_, ts, err := s.Slack.PostMessageContext(ctx, channel, slack.MsgOptionText(bulkText(order, profile, false), false))
	if err != nil {
		return Ephemeral(fmt.Sprintf("Bulk update `%s` started, but its progress message could not be posted: %s", order.OrderID, Escape(err.Error()))), nil
	}
	// Follow the order after the command has answered.
	s.cmds.wg.Add(1)
	go func() {
		defer s.cmds.wg.Done()
		s.followBulk(context.WithoutCancel(ctx), channel, ts, order.OrderID, profile)
	}()
	return Ephemeral(fmt.Sprintf("Bulk update `%s` started for %d number(s); its progress is in <#%s>.", order.OrderID, len(nums), channel)), nil
}

func bulkText(b *telnyx.BulkUpdate, profile string, final bool) string {
	state := "in progress"
	if final {
		state = "finished"
	}
	text := fmt.Sprintf("Bulk update `%s` to profile `%s` %s: %d done, %d pending, %d failed.", b.OrderID, Escape(profile), state, len(b.Success), len(b.Pending), len(b.Failed))
	if final && len(b.Failed) > 0 {
		text += " Failed: " + Escape(strings.Join(b.Failed, ", "))
	}
	return text
}

// followBulk polls the order and updates the progress message until the
// order is done (or an hour has passed).
func (s *sms) followBulk(ctx context.Context, channel, ts, orderID, profile string) {
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

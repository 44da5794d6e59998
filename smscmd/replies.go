package smscmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// Saved replies: /sms reply add|list|remove, /sms send --reply, the compose
// modal's select and the "Send saved reply" message shortcut on a thread
// (sms_reply_modal.go). The bridge keeps them and fills their variables;
// every send takes the outbox.

func (s *sms) registerReplies() {
	s.Cmds.Register(slackin.Command{
		Name:    "reply",
		Usage:   "/sms reply add <name> <text> | list | remove <name> | use <name>",
		Example: "/sms reply add hours Hi {first_name}, we are open 9–5. {agent}",
		Help:    "saved replies with {name}, {first_name}, {our_number}, {agent}; send one with /sms send --reply <name> <to>, the compose form, or a thread's \"Send saved reply\" shortcut",
		Run:     s.runReply,
	})
	s.registerReplyShortcut()
}

func (s *sms) runReply(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	sub, rest := cmdkit.NextToken(req.Rest)
	switch strings.ToLower(sub) {
	case "add":
		name, text := cmdkit.NextToken(rest)
		if name == "" {
			return nil, slackin.Usagef("Missing the reply's name and text.")
		}
		return s.replyChange(ctx, req.UserID, "add", func() error {
			return s.Bridge.AddSavedReply(ctx, name, cmdkit.Unslack(strings.TrimSpace(text)), req.UserID)
		}, fmt.Sprintf("Saved reply `%s` added.", slackpost.Escape(bridge.ReplyName(name))))
	case "remove", "rm", "delete":
		name, extra := cmdkit.NextToken(rest)
		if name == "" || strings.TrimSpace(extra) != "" {
			return nil, slackin.Usagef("Give the name of one saved reply to remove.")
		}
		return s.replyChange(ctx, req.UserID, "remove", func() error {
			return s.Bridge.RemoveSavedReply(ctx, name)
		}, fmt.Sprintf("Saved reply `%s` removed.", slackpost.Escape(bridge.ReplyName(name))))
	case "list", "":
		return s.replyList(ctx)
	case "use":
		return slackin.Ephemeral("Slack does not tell a slash command which thread it was typed in, so a saved reply is used in a thread " +
			"from the message's menu: hover over any message of the conversation's thread, open *More actions* (⋮) and pick " +
			"*Send saved reply*. Elsewhere: `/sms send --reply <name> <to>`, or the Saved reply field of `/sms`."), nil
	}
	return nil, slackin.Usagef("Unknown `/sms reply %s`.", slackpost.Escape(sub))
}

// replyChange runs an add or remove for user when the rule allows it:
// admins, or everyone with SMSBRIDGE_REPLIES_EVERYONE.
func (s *sms) replyChange(ctx context.Context, user, what string, change func() error, done string) (*slack.Msg, error) {
	if !s.RepliesEveryone {
		ok, err := s.IsAdmin(ctx, user)
		if err != nil {
			return slackin.Ephemeral("Could not check your permissions with Slack; please try again."), nil
		}
		if !ok {
			return slackin.Ephemeral(fmt.Sprintf("Sorry, only smsbridge admins may %s saved replies here (SMSBRIDGE_REPLIES_EVERYONE lets everyone). `/sms reply list` shows them; anyone may use them.", what)), nil
		}
	}
	err := change()
	var re *bridge.ReplyError
	if errors.As(err, &re) {
		return slackin.Ephemeral(slackpost.Escape(re.Reason)), nil
	}
	if err != nil {
		return nil, err
	}
	s.Log.Info("saved reply changed", "user", user, "change", what)
	return slackin.Ephemeral(done), nil
}

func (s *sms) replyList(ctx context.Context) (*slack.Msg, error) {
	all, err := s.Bridge.SavedReplies(ctx)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return slackin.Ephemeral("No saved replies yet. Add one: `/sms reply add hours We are open 9–5, {first_name}.`"), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Saved replies* (%d)\n", len(all))
	for _, r := range all {
		fmt.Fprintf(&b, "• `%s` — %s\n", slackpost.Escape(r.Name), slackpost.Escape(r.Text))
	}
	b.WriteString("_Send one with `/sms send --reply <name> <to>`, the Saved reply field of `/sms`, or a thread message's *Send saved reply* shortcut._")
	return cmdkit.MsgWithBlocks(b.String(), cmdkit.SectionsOf(b.String())...), nil
}

// fillReply is the saved reply o names, filled for a send from o's sender
// to to by user. A refusal (unknown name, a variable without value) is a
// *slackin.UsageError with the reason.
func (s *sms) fillReply(ctx context.Context, o cmdkit.SendOpts, to []bridge.E164, user string) (string, error) {
	text, err := s.Bridge.FillSavedReply(ctx, o.Reply, bridge.ReplyContext{From: o.From, To: to, AgentID: user})
	var re *bridge.ReplyError
	if errors.As(err, &re) {
		return "", slackin.Usagef("%s", re.Reason)
	}
	return text, err
}

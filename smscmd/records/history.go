package records

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

// History limits: a reply stays well inside Slack's 40,000 characters.
const (
	historyConversations = 3
	historyMessages      = 20
	historyTextLen       = 300
)

// RegisterHistoryCommand registers /sms history <number>.
func RegisterHistoryCommand(cmds *slackin.Commands, nc NumberCommands) {
	cmds.Register(slackin.Command{
		Name:    "history",
		Usage:   "/sms history <number>",
		Example: "/sms history (312) 555-0123",
		Help:    "a number's recent messages, both directions, with delivery states and a link to the thread",
		Run:     nc.history,
	})
}

func (nc NumberCommands) history(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	number, rest, err := numberAndRest(req.Args, nc.Region)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, slackin.Usagef("Give only the number.")
	}
	convs, err := nc.Store.ConversationsOf(ctx, string(number), historyConversations)
	if err != nil {
		return nil, err
	}
	who := slackpost.Escape(slackpost.FormatNumber(number))
	if c, err := nc.Store.Contact(ctx, string(number)); err == nil {
		who = "*" + slackpost.Escape(c.Name) + "* · " + who
	}
	if len(convs) == 0 {
		return slackin.Ephemeral("No conversations with " + who + " yet."), nil
	}
	var b strings.Builder
	for i := range convs {
		c := &convs[i]
		msgs, err := nc.Store.History(ctx, c.ID, historyMessages)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s — %s\n", who, nc.conversationLine(ctx, c))
		if len(msgs) == 0 {
			b.WriteString("_No messages stored._\n")
		}
		// Newest were fetched; read them oldest first, like the thread.
		for _, m := range slices.Backward(msgs) {
			b.WriteString(historyLine(&m) + "\n")
		}
		if len(msgs) == historyMessages {
			fmt.Fprintf(&b, "_Showing the last %d messages; the thread has them all._\n", historyMessages)
		}
		b.WriteString("\n")
	}
	return slackin.Ephemeral(strings.TrimSpace(b.String())), nil
}

// historyLine is one message: when, which way, what, and how its delivery went.
func historyLine(m *bridge.Message) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if text == "" {
		text = "(no text)"
	}
	if m.Media != "" && m.Media != "[]" && m.Media != "null" {
		text += " :paperclip:"
	}
	line := slackDate(m.CreatedAt) + " "
	if m.Direction == bridge.DirOutbound {
		line += ":outbox_tray: "
		if au := slackpost.Mention(m.AuthorID); au != "" {
			line += au + ": "
		}
	} else {
		line += ":inbox_tray: "
		if len(strings.Split(m.ToNumbers, ",")) > 2 && m.FromNumber != "" { // a group: say who wrote
			line += slackpost.Escape(slackpost.FormatNumber(bridge.E164(m.FromNumber))) + ": "
		}
	}
	line += slackpost.Escape(slackpost.Truncate(text, historyTextLen))
	if m.Direction == bridge.DirOutbound {
		line += " — " + deliveryState(m)
	}
	return line
}

// deliveryState shows an outbound message's Telnyx status.
func deliveryState(m *bridge.Message) string {
	s := m.Status
	var out string
	switch s {
	case "delivered":
		out = ":white_check_mark: delivered"
	case "sent":
		out = ":arrow_right: sent"
	case "", "queued", "sending", "scheduled":
		out = ":hourglass_flowing_sand: " + orText(s, "pending")
	case "delivery_unconfirmed":
		out = ":grey_question: delivery unconfirmed"
	default: // delivery_failed, sending_failed, expired, failed…
		out = ":x: " + slackpost.Escape(strings.ReplaceAll(s, "_", " "))
	}
	if m.ErrorText != "" {
		out += " (" + slackpost.Escape(slackpost.Truncate(m.ErrorText, 120)) + ")"
	}
	return out
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

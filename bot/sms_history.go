package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
)

// History limits: a reply stays well inside Slack's 40,000 characters.
const (
	historyConversations = 3
	historyMessages      = 20
	historyTextLen       = 300
)

// RegisterHistoryCommand registers /sms history <number>.
func RegisterHistoryCommand(cmds *Commands, nc NumberCommands) {
	cmds.Register(Command{
		Name:    "history",
		Usage:   "/sms history <number>",
		Example: "/sms history (312) 555-0123",
		Help:    "a number's recent messages, both directions, with delivery states and a link to the thread",
		Run:     nc.history,
	})
}

func (nc NumberCommands) history(ctx context.Context, req *CommandRequest) (*slack.Msg, error) {
	number, rest, err := numberAndRest(req.Args, nc.Region)
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, Usagef("Give only the number.")
	}
	convs, err := nc.Store.ConversationsOf(ctx, string(number), historyConversations)
	if err != nil {
		return nil, err
	}
	who := Escape(FormatNumber(number))
	if c, err := nc.Store.Contact(ctx, string(number)); err == nil {
		who = "*" + Escape(c.Name) + "* · " + who
	}
	if len(convs) == 0 {
		return Ephemeral("No conversations with " + who + " yet."), nil
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
	return Ephemeral(strings.TrimSpace(b.String())), nil
}

// historyLine is one message: when, which way, what, and how its delivery went.
func historyLine(m *store.Message) string {
	text := strings.Join(strings.Fields(m.Text), " ")
	if text == "" {
		text = "(no text)"
	}
	if m.Media != "" && m.Media != "[]" && m.Media != "null" {
		text += " :paperclip:"
	}
	line := slackDate(m.CreatedAt) + " "
	if m.Direction == store.Outbound {
		line += ":outbox_tray: "
		if au := mention(m.AuthorID); au != "" {
			line += au + ": "
		}
	} else {
		line += ":inbox_tray: "
		if len(strings.Split(m.ToNumbers, ",")) > 2 && m.FromNumber != "" { // a group: say who wrote
			line += Escape(FormatNumber(bridge.E164(m.FromNumber))) + ": "
		}
	}
	line += Escape(truncate(text, historyTextLen))
	if m.Direction == store.Outbound {
		line += " — " + deliveryState(m)
	}
	return line
}

// deliveryState shows an outbound message's Telnyx status.
func deliveryState(m *store.Message) string {
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
		out = ":x: " + Escape(strings.ReplaceAll(s, "_", " "))
	}
	if m.ErrorText != "" {
		out += " (" + Escape(truncate(m.ErrorText, 120)) + ")"
	}
	return out
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

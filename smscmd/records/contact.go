package records

import (
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
)

// NumberStore is the store as /sms contact and /sms history read it.
type NumberStore interface {
	Contact(ctx context.Context, number string) (*bridge.Contact, error)
	ConversationsOf(ctx context.Context, number string, limit int) ([]bridge.Conversation, error)
	History(ctx context.Context, conversationID uint64, limit int) ([]bridge.Message, error)
}

// ContactNamer names a number and refreshes its threads' headers
// (bridge.Bridge implements it).
type ContactNamer interface {
	NameContact(ctx context.Context, number bridge.E164, name, by string) ([]bridge.Conversation, error)
}

// NumberCommands are /sms contact and /sms history.
type NumberCommands struct {
	Namer ContactNamer
	Store NumberStore
	Links *slackpost.ThreadLinks
	// Region is SMSBRIDGE_DEFAULT_REGION, for numbers typed without "+".
	Region string
}

// maxContactName bounds a contact name (the column holds 200).
const maxContactName = 80

// RegisterContactCommand registers /sms contact <number> [name].
func RegisterContactCommand(cmds *slackin.Commands, nc NumberCommands) {
	cmds.Register(slackin.Command{
		Name:    "contact",
		Usage:   "/sms contact <number> [name | --clear]",
		Example: `/sms contact (312) 555-0123 "Ana Lopez"`,
		Help:    "name a number (shown in its threads and the App Home), or show what is known about it",
		Run:     nc.contact,
	})
}

func (nc NumberCommands) contact(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	number, name, err := numberAndRest(req.Args, nc.Region)
	if err != nil {
		return nil, err
	}
	if name == "--clear" {
		convs, err := nc.Namer.NameContact(ctx, number, "", req.UserID)
		if err != nil && convs == nil {
			return nil, err
		}
		return slackin.Ephemeral(fmt.Sprintf("%s has no name now.", slackpost.Escape(slackpost.FormatNumber(number)))), nil
	}
	if name != "" {
		name = strings.Join(strings.Fields(name), " ") // one line, as headers show it
		if len([]rune(name)) > maxContactName {
			return nil, slackin.Usagef("That name is too long (at most %d characters).", maxContactName)
		}
		convs, err := nc.Namer.NameContact(ctx, number, name, req.UserID)
		if err != nil && convs == nil {
			return nil, err
		}
		text := fmt.Sprintf("%s is now *%s*.", slackpost.Escape(slackpost.FormatNumber(number)), slackpost.Escape(name))
		if n := withThread(convs); n > 0 {
			text += fmt.Sprintf(" Updated the header of %d thread%s.", n, plural(n))
		}
		if err != nil {
			text += " Some thread headers could not be updated; they show the name on their next change."
		}
		return slackin.Ephemeral(text), nil
	}
	return nc.contactInfo(ctx, number)
}

// contactInfo shows what is known about a number: its name, its
// conversations and their state, and whether it opted out.
func (nc NumberCommands) contactInfo(ctx context.Context, number bridge.E164) (*slack.Msg, error) {
	var b strings.Builder
	c, err := nc.Store.Contact(ctx, string(number))
	switch {
	case err == nil:
		fmt.Fprintf(&b, "*%s* · %s", slackpost.Escape(c.Name), slackpost.Escape(slackpost.FormatNumber(number)))
		if m := slackpost.Mention(c.SetBy); m != "" {
			fmt.Fprintf(&b, " (named by %s)", m)
		}
	case errors.Is(err, bridge.ErrNotFound):
		fmt.Fprintf(&b, "*%s* has no name yet. Name it with `/sms contact %s <name>`.", slackpost.Escape(slackpost.FormatNumber(number)), number)
	default:
		return nil, err
	}
	b.WriteString("\n")
	convs, err := nc.Store.ConversationsOf(ctx, string(number), 10)
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		b.WriteString("No conversations with this number yet.")
		return slackin.Ephemeral(b.String()), nil
	}
	for _, cv := range convs {
		b.WriteString("• " + nc.conversationLine(ctx, &cv) + "\n")
	}
	return slackin.Ephemeral(b.String()), nil
}

// conversationLine describes one conversation: our number, state, opt-out
// and a link to its thread.
func (nc NumberCommands) conversationLine(ctx context.Context, c *bridge.Conversation) string {
	s := "with " + slackpost.Escape(slackpost.FormatNumber(bridge.E164(c.OurNumber)))
	if rs := bridge.Remotes(c.RemoteKey); len(rs) > 1 {
		s += " (group MMS: " + slackpost.Escape(slackpost.FormatNumbers(rs)) + ")"
	}
	s += ": " + stateText(c)
	if c.OptedOut {
		s += " · :no_entry_sign: opted out"
		if c.OptOutKeyword != "" {
			s += " (texted " + slackpost.Escape(slackpost.Truncate(c.OptOutKeyword, 40)) + ")"
		}
		if c.OptOutAt != nil {
			s += " " + slackDate(*c.OptOutAt)
		}
	} else {
		s += " · not opted out"
	}
	s += " · last activity " + slackDate(c.LastActivityAt)
	if c.ThreadTS != "" && nc.Links != nil {
		s += " · <" + nc.Links.Link(ctx, c.Channel, c.ThreadTS) + "|thread>"
	}
	return s
}

func stateText(c *bridge.Conversation) string {
	switch bridge.ConversationState(c.State) {
	case bridge.StateClaimed:
		if m := slackpost.Mention(c.AssigneeID); m != "" {
			return "claimed by " + m
		}
		return "claimed"
	case bridge.StateResolved:
		if m := slackpost.Mention(c.ResolvedBy); m != "" {
			return "resolved by " + m
		}
		return "resolved"
	}
	return "open"
}

// numberAndRest splits args into a phone number, written in as many words
// as people write it ("(312) 555-0123", "+44 20 7946 0958"), and the rest.
// The number is the leading words made of digits and + ( ) - . only.
func numberAndRest(args []string, region string) (bridge.E164, string, error) {
	i := 0
	for i < len(args) && isNumberWord(args[i]) {
		i++
	}
	if i == 0 {
		return "", "", slackin.Usagef("Give a phone number first.")
	}
	raw := strings.Join(args[:i], " ")
	n, err := NormalizeNumber(raw, region)
	if err != nil {
		return "", "", slackin.Usagef("%s is not a phone number I can read: give it with its country code, like +1 312 555 0123.", slackpost.Escape(raw))
	}
	return n, strings.TrimSpace(strings.Join(args[i:], " ")), nil
}

func isNumberWord(w string) bool {
	digits := false
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("+()-.", r):
		default:
			return false
		}
	}
	return digits || strings.Trim(w, "()-.") == ""
}

// NormalizeNumber reads a phone number in any common form as E.164; region
// (SMSBRIDGE_DEFAULT_REGION, e.g. "US") applies to numbers written without
// a country code.
func NormalizeNumber(s, region string) (bridge.E164, error) {
	n, err := phone.NormalizeE164(s, region)
	return bridge.E164(n), err
}

// slackDate shows t in each reader's time zone, with a UTC fallback.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

func withThread(convs []bridge.Conversation) int {
	n := 0
	for _, c := range convs {
		if c.ThreadTS != "" {
			n++
		}
	}
	return n
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

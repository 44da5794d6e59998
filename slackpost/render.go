package slackpost

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
)

// Block Kit limits the renderer stays within.
const (
	maxHeaderText  = 150
	MaxSectionText = 3000
	maxButtonText  = 75
	maxContextElem = 10
)

func Mrkdwn(text string) *slack.TextBlockObject {
	// verbatim: Slack must not auto-link URLs, channel names or @mentions
	// that survived escaping (a bare "@channel" stays plain text).
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, true)
}

func Plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

// renderHeader builds a conversation's thread parent. prevLink is the
// permalink of the previous thread, "" when there is none.
func renderHeader(h bridge.Header, prevLink string) (string, []slack.Block) {
	who := FormatNumbers(h.Remotes)
	icon := ":speech_balloon:"
	if len(h.Remotes) > 1 {
		icon = ":busts_in_silhouette:"
	}
	channel := "SMS"
	if h.Kind == bridge.ConvWhatsApp {
		icon, channel = ":iphone:", "WhatsApp"
	}
	status := headerStatus(h)

	var fields []*slack.TextBlockObject
	if h.ContactName != "" {
		fields = append(fields, Mrkdwn("*Contact*\n"+Escape(Truncate(h.ContactName, 200))))
	}
	// Roles, not directions: the same header serves a conversation a phone
	// started and one the team started.
	label := "*With*"
	if len(h.Remotes) > 1 {
		label = "*Group*"
	}
	fields = append(fields,
		Mrkdwn(label+"\n"+Escape(Truncate(who, 1500))),
		Mrkdwn(ourLabel(h.OurNumber)+"\n"+Escape(FormatNumber(h.OurNumber))+" ("+channel+")"),
		Mrkdwn("*Status*\n"+status),
	)

	blocks := []slack.Block{
		slack.NewHeaderBlock(Plain(Truncate(icon+" "+who, maxHeaderText))),
		slack.NewSectionBlock(nil, fields, nil),
	}
	if h.TheirTime != "" {
		// The time when the header was posted or last updated (a state
		// change, a name): the zone is what lasts.
		blocks = append(blocks, slack.NewContextBlock("", Mrkdwn(":clock3: "+Escape(h.TheirTime)+", as of this header's last update")))
	}
	if h.PreviousThread != nil && prevLink != "" {
		blocks = append(blocks, slack.NewContextBlock("",
			Mrkdwn(":leftwards_arrow_with_hook: Continues <"+prevLink+"|an earlier thread>")))
	}
	texts, textsFallback := textsBlocks(h.Texts, len(h.Remotes) > 1)
	blocks = append(blocks, texts...)
	blocks = append(blocks, headerActions(h))

	subject := who
	if h.ContactName != "" {
		subject = h.ContactName + " (" + who + ")"
	}
	text := fmt.Sprintf("%s conversation with %s on %s: %s", channel, Escape(subject), Escape(FormatNumber(h.OurNumber)), plainStatus(h))
	if textsFallback != "" {
		text += "\n" + textsFallback
	}
	return text, blocks
}

// ourLabel names our side of a conversation by what it is.
func ourLabel(our bridge.E164) string {
	switch n := string(our); {
	case strings.HasPrefix(n, "+"):
		return "*Our number*"
	case strings.IndexFunc(n, unicode.IsLetter) >= 0:
		return "*Our sender ID*"
	default:
		return "*Our short code*"
	}
}

// headerStatus is the mrkdwn status line of a header.
func headerStatus(h bridge.Header) string {
	var s string
	switch h.State {
	case bridge.StateClaimed:
		s = ":raising_hand: Claimed"
		if m := Mention(h.AssigneeID); m != "" {
			s += " by " + m
		}
	case bridge.StateResolved:
		s = ":white_check_mark: Resolved"
		if m := Mention(h.ResolvedBy); m != "" {
			s += " by " + m
		}
		if !h.ResolvedAt.IsZero() {
			// Slack shows the date in each reader's time zone; the fallback is UTC.
			s += fmt.Sprintf(" <!date^%d^{date_short_pretty} at {time}|%s>",
				h.ResolvedAt.Unix(), h.ResolvedAt.UTC().Format("2006-01-02 15:04 UTC"))
		}
	default:
		s = ":large_green_circle: Open"
	}
	if w := h.WaitingText(); w != "" {
		s += "\n:hourglass_flowing_sand: " + strings.ToUpper(w[:1]) + w[1:]
	}
	if h.OptedOut {
		s += "\n:no_entry_sign: Opted out"
		if h.OptOutKeyword != "" {
			s += " (texted " + Escape(Truncate(h.OptOutKeyword, 40)) + ")"
		}
	}
	return s
}

// plainStatus is the status for the notification text.
func plainStatus(h bridge.Header) string {
	s := string(h.State)
	if s == "" {
		s = string(bridge.StateOpen)
	}
	if w := h.WaitingText(); w != "" {
		s += ", " + w
	}
	if h.OptedOut {
		s += ", opted out"
	}
	return s
}

func headerActions(h bridge.Header) slack.Block {
	id := strconv.FormatUint(h.ConversationID, 10)
	var elems []slack.BlockElement
	if h.State != bridge.StateClaimed && h.State != bridge.StateResolved {
		elems = append(elems, slack.NewButtonBlockElement(ActionClaim, id, Plain("Claim")).WithStyle(slack.StylePrimary))
	}
	if h.State == bridge.StateClaimed {
		elems = append(elems, slack.NewButtonBlockElement(ActionUnassign, id, Plain("Unassign")))
	}
	if h.State == bridge.StateResolved {
		elems = append(elems, slack.NewButtonBlockElement(ActionReopen, id, Plain("Reopen")))
	} else {
		elems = append(elems, slack.NewButtonBlockElement(ActionResolve, id, Plain("Resolve")))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, Plain("Assign to…"), ActionReassign)
	if h.State == bridge.StateClaimed && Mention(h.AssigneeID) != "" {
		sel.InitialUser = h.AssigneeID
	}
	elems = append(elems, sel)
	return slack.NewActionBlock(HeaderActionsBlockID+id, elems...)
}

// renderPost builds a post in a conversation's thread. All of p.Text is
// escaped; only p.Mention becomes a mention.
func renderPost(p bridge.ThreadPost) (string, []slack.Block) {
	ping := Mention(p.Mention)
	if ping == "" {
		ping = groupMention(p.MentionGroup)
	}
	if ping != "" {
		ping += " "
	}
	body := p.Text
	if strings.TrimSpace(body) == "" {
		body = "(no text)"
	}

	var blocks []slack.Block
	var text string
	switch p.Kind {
	case bridge.KindOutbound:
		blocks = contextBlocks(ping+":outbox_tray: ", body)
		text = "Sent: " + Escape(body)
	case bridge.KindNote:
		blocks = contextBlocks(ping+":information_source: ", body)
		text = Escape(body)
	case bridge.KindError:
		blocks = sectionBlocks(ping+":warning: ", body)
		text = ":warning: " + Escape(body)
	case bridge.KindInbound:
		if len(p.Texts) > 0 {
			blocks, text = textsBlocks(p.Texts, p.ShowFrom)
			if ping != "" {
				blocks = append([]slack.Block{slack.NewContextBlock("", Mrkdwn(ping))}, blocks...)
			}
			break
		}
		fallthrough
	default: // inbound
		from := ""
		if p.From != "" {
			from = Escape(FormatNumber(p.From))
			blocks = append(blocks, slack.NewContextBlock("", Mrkdwn(":bust_in_silhouette: *"+from+"*")))
			from += ": "
		}
		blocks = append(blocks, sectionBlocks(ping, body)...)
		text = from + Escape(body)
	}
	if len(p.Actions) > 0 {
		blocks = append(blocks, postActions(p.Actions))
	}
	return ping + text, blocks
}

// sectionBlocks escapes body into as many sections as its length needs.
func sectionBlocks(prefix, body string) []slack.Block {
	var out []slack.Block
	for i, chunk := range chunkEscaped(body, MaxSectionText-len([]rune(prefix))) {
		if i == 0 {
			chunk = prefix + chunk
		}
		out = append(out, slack.NewSectionBlock(Mrkdwn(chunk), nil, nil))
	}
	return out
}

// contextBlocks escapes body into a context block, cut to what one holds.
func contextBlocks(prefix, body string) []slack.Block {
	var elems []slack.MixedElement
	for i, chunk := range chunkEscaped(body, MaxSectionText-len([]rune(prefix))) {
		if i == maxContextElem {
			break
		}
		if i == 0 {
			chunk = prefix + chunk
		}
		elems = append(elems, Mrkdwn(chunk))
	}
	return []slack.Block{slack.NewContextBlock("", elems...)}
}

func postActions(actions []bridge.Action) slack.Block {
	elems := make([]slack.BlockElement, 0, len(actions))
	for _, a := range actions {
		b := slack.NewButtonBlockElement(a.ID, a.Value, Plain(Truncate(a.Label, maxButtonText)))
		switch a.Style {
		case "primary":
			b = b.WithStyle(slack.StylePrimary)
		case "danger":
			b = b.WithStyle(slack.StyleDanger)
		}
		elems = append(elems, b)
	}
	return slack.NewActionBlock("", elems...)
}

// withMetadata adds a post's Slack message metadata to opts (none when md
// is nil). Only chat.postMessage and chat.update carry it: a scheduled
// Slack message (chat.scheduleMessage) with metadata is never posted (a
// known Slack fault), and smsbridge schedules no Slack messages.
func withMetadata(opts []slack.MsgOption, md *bridge.Metadata) []slack.MsgOption {
	if md == nil {
		return opts
	}
	return append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: md.EventType, EventPayload: md.Payload}))
}

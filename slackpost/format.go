package slackpost

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsbridge/smsbridge/bridge"
)

// escaper applies Slack's escaping: with &, < and > replaced, nothing in the
// text can form a mention (<!channel>, <@U1>, <!subteam^S1>), a channel link
// (<#C1>) or a disguised link (<https://evil|bank>).
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes untrusted text (an SMS, a contact name) safe for Slack mrkdwn
// and message text.
func Escape(s string) string { return escaper.Replace(s) }

// userIDPattern is what a Slack user id looks like; a Mention that is not one
// is dropped rather than written unescaped into a message.
var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Mention renders a user Mention, or "" when id is not a user id.
func Mention(id string) string {
	if !userIDPattern.MatchString(id) {
		return ""
	}
	return "<@" + id + ">"
}

// groupMentionPattern is a Slack user group id.
var groupMentionPattern = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// groupMention mentions a user group by id (<!subteam^S…>), or "" for
// anything that is not one.
func groupMention(id string) string {
	if !groupMentionPattern.MatchString(id) {
		return ""
	}
	return "<!subteam^" + id + ">"
}

// FormatNumber shows a phone number the way people read it: "+1 312-555-0123".
// Numbers that do not parse (short codes, alphanumeric senders) are shown as
// they are.
func FormatNumber(n bridge.E164) string {
	num, err := phonenumbers.Parse(string(n), "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return string(n)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// FormatNumbers joins several numbers for display.
func FormatNumbers(ns []bridge.E164) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = FormatNumber(n)
	}
	return strings.Join(out, ", ")
}

// Truncate cuts s to at most n runes, marking the cut with an ellipsis.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chunkEscaped escapes s and splits it into pieces of at most n runes each,
// never inside an entity, so long texts fit Block Kit's per-object limits.
func chunkEscaped(s string, n int) []string {
	var chunks []string
	var b strings.Builder
	size := 0
	for _, r := range s {
		piece := escaper.Replace(string(r))
		if size+len([]rune(piece)) > n {
			chunks = append(chunks, b.String())
			b.Reset()
			size = 0
		}
		b.WriteString(piece)
		size += len([]rune(piece))
	}
	if b.Len() > 0 || len(chunks) == 0 {
		chunks = append(chunks, b.String())
	}
	return chunks
}

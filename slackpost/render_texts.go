package slackpost

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
)

// textsBlocks renders several inbound texts posted as one (a header's
// first texts, or texts that waited for the channel's turn), in order:
// each with its time (shown in the reader's time zone) and, in a group,
// its sender, then its text. fallback is the plain-text version.
func textsBlocks(texts []bridge.InboundText, showFrom bool) (blocks []slack.Block, fallback string) {
	var lines []string
	for _, t := range texts {
		at := t.At.UTC()
		when := fmt.Sprintf("<!date^%d^{time}|%s>", at.Unix(), at.Format("15:04 UTC"))
		label, line := ":speech_balloon: "+when, at.Format("15:04")
		if showFrom && t.From != "" {
			from := Escape(FormatNumber(t.From))
			label = ":bust_in_silhouette: *" + from + "* · " + when
			line += " " + from
		}
		body := t.Text
		if strings.TrimSpace(body) == "" {
			body = "(no text)"
		}
		blocks = append(blocks, slack.NewContextBlock("", Mrkdwn(label)))
		blocks = append(blocks, sectionBlocks("", body)...)
		lines = append(lines, line+": "+Escape(body))
	}
	return blocks, strings.Join(lines, "\n")
}

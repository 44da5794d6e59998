package slacklimits

import "unicode/utf8"

// MaxText is the longest message text Slack takes. Slack documents 40,000
// characters for text, but in practice refuses a message far shorter
// (about 12,000 characters: shared DESIGN.md).
const MaxText = 12000

// Message checks a message's text, blocks and attachments as
// chat.postMessage does: the error code Slack answers ("" when it takes
// the message) and, for invalid blocks, what is wrong with them.
func Message(text, blocks string, hasAttachments bool) (code string, problems []string) {
	if text == "" && blocks == "" && !hasAttachments {
		return "no_text", nil
	}
	if utf8.RuneCountInString(text) > MaxText {
		return "msg_too_long", nil
	}
	if blocks != "" {
		if problems := Blocks([]byte(blocks)); len(problems) > 0 {
			return "invalid_blocks", problems
		}
	}
	return "", nil
}

// MessageProblems checks a message the app answers with directly (a slash
// command's acknowledgement, a response body) by the limits Slack holds a
// posted message to: its text length and its blocks. It returns what Slack
// would refuse, nothing when the message is fine.
func MessageProblems(text string, blocks []byte) []string {
	var problems []string
	if utf8.RuneCountInString(text) > MaxText {
		problems = append(problems, "msg_too_long")
	}
	if len(blocks) > 0 && string(blocks) != "null" {
		problems = append(problems, Blocks(blocks)...)
	}
	return problems
}

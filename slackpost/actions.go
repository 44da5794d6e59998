package slackpost

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// Action ids of the interactive elements the poster puts on thread headers.
// The interactivity handler dispatches on them; the value of each is the
// conversation id in decimal (a users_select carries the chosen user instead,
// and its block_id is HeaderActionsBlockID + the conversation id).
const (
	ActionClaim    = "conv_claim"
	ActionResolve  = "conv_resolve"
	ActionReopen   = "conv_reopen"
	ActionUnassign = "conv_unassign"
	ActionReassign = "conv_reassign"

	// HeaderActionsBlockID prefixes the block_id of a header's actions block.
	HeaderActionsBlockID = "conv_actions_"
)

// ConversationID reads the conversation id from a button's value, or for
// the user picker (which has no value) from its block_id.
func ConversationID(action *slack.BlockAction) (uint64, error) {
	v := action.Value
	if v == "" {
		v = strings.TrimPrefix(action.BlockID, HeaderActionsBlockID)
	}
	return strconv.ParseUint(v, 10, 64)
}

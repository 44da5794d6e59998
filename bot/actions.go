package bot

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

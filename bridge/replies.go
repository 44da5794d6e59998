package bridge

import (
	"context"

	"github.com/smsbridge/smsbridge/bridge/replies"
)

// Saved replies are package replies'. These names keep its importers (the
// Slack side) unchanged; the methods below are its, on the bridge.
type (
	SavedReply         = replies.SavedReply
	ReplyError         = replies.ReplyError
	ReplyContext       = replies.ReplyContext
	ThreadConversation = replies.ThreadConversation
)

const (
	VarName         = replies.VarName
	VarFirstName    = replies.VarFirstName
	VarOurNumber    = replies.VarOurNumber
	VarAgent        = replies.VarAgent
	MaxReplyName    = replies.MaxReplyName
	MaxReplyText    = replies.MaxReplyText
	MaxSavedReplies = replies.MaxSavedReplies
)

var (
	ReplyVariables = replies.ReplyVariables
	ReplyName      = replies.ReplyName
	FillReply      = replies.FillReply
)

// AddSavedReply saves text as name; a refusal is a *ReplyError.
func (b *Bridge) AddSavedReply(ctx context.Context, name, text, by string) error {
	return b.replies.AddSavedReply(ctx, name, text, by)
}

// SavedReplies lists the saved replies by name.
func (b *Bridge) SavedReplies(ctx context.Context) ([]SavedReply, error) {
	return b.replies.SavedReplies(ctx)
}

// RemoveSavedReply deletes the saved reply name; an unknown name is a
// *ReplyError.
func (b *Bridge) RemoveSavedReply(ctx context.Context, name string) error {
	return b.replies.RemoveSavedReply(ctx, name)
}

// FillSavedReply is the saved reply name with its variables filled from c.
func (b *Bridge) FillSavedReply(ctx context.Context, name string, c ReplyContext) (string, error) {
	return b.replies.FillSavedReply(ctx, name, c)
}

// ConversationInThread is the conversation whose current thread is ref.
func (b *Bridge) ConversationInThread(ctx context.Context, ref ThreadRef) (ThreadConversation, bool, error) {
	return b.replies.ConversationInThread(ctx, ref)
}

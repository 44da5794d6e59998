package bridge

import (
	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Ids in one place: the phone number type, and every lane and every
// dedupe key the bridge builds, one function each, so that two places can
// never spell the same key two ways.

// The phone number type and the stored form of a remote set are package
// domain's (the bottom of the bridge, which the clock uses too).
type E164 = domain.E164

// ErrNotE164 is what ParseE164 refuses.
var ErrNotE164 = domain.ErrNotE164

var (
	ParseE164 = domain.ParseE164 // checks that s is a number in E.164 form
	RemoteKey = domain.RemoteKey // the stored form of a remote set: sorted, comma-joined
	Remotes   = domain.Remotes   // splits a RemoteKey
)

// --- lanes: the order work is done in ---

// telnyxLane puts every event of a conversation in the conversation's lane,
// so they are handled in the order received.
func telnyxLane(ev *telnyxhook.Event) string {
	if ev.Click != nil {
		return clickLane(ev.Click.MessageID)
	}
	if ev.Message == nil {
		return ""
	}
	our, remotes := parties(ev.Message)
	if our == "" || len(remotes) == 0 {
		return ""
	}
	return KindLane(messageKind(ev.Message), our, remotes)
}

// Lanes and keys are built in package domain (domain/keys.go), one function
// each; these names keep the bridge's code and importers unchanged.
var (
	ConversationLane = domain.ConversationLane
	KindLane         = domain.KindLane
	LaneOf           = domain.LaneOf
)

var (
	poolLane         = domain.PoolLane
	clickLane        = domain.ClickLane
	replyKey         = domain.ReplyKey
	replyEventKey    = domain.ReplyEventKey
	sendAgainKey     = domain.SendAgainKey
	sendKey          = domain.SendKey
	autoReplyKey     = domain.AutoReplyKey
	isSendKey        = domain.IsSendKey
	sentPostKey      = domain.SentPostKey
	noteKey          = domain.NoteKey
	scheduledNoteKey = domain.ScheduledNoteKey
	handoffKey       = domain.HandoffKey
)

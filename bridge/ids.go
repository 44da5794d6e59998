package bridge

import "github.com/smsbridge/smsbridge/bridge/domain"

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

// Lanes and keys are built in package domain (domain/keys.go), one function
// each; these names keep the bridge's code and importers unchanged.
var (
	ConversationLane = domain.ConversationLane
	KindLane         = domain.KindLane
	LaneOf           = domain.LaneOf
)

var (
	replyKey = domain.ReplyKey
	noteKey  = domain.NoteKey
)

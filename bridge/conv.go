package bridge

import "github.com/smsbridge/smsbridge/bridge/conv"

// The domain's vocabulary is package conv's: the records, the ports to
// Slack (Poster, MediaFetcher), what a thread post and a header say, the
// event sources and metadata, the retry contract. These aliases keep the
// bridge's importers (the Slack side, cmd/smsbridge) unchanged.

type (
	ThreadRef         = conv.ThreadRef
	ConversationState = conv.ConversationState
	Header            = conv.Header
	NoteKind          = conv.NoteKind
	ThreadPost        = conv.ThreadPost
	Action            = conv.Action
	File              = conv.File
	Poster            = conv.Poster
	MediaFetcher      = conv.MediaFetcher
	UserNamer         = conv.UserNamer
	Conversation      = conv.Conversation
	Message           = conv.Message
	Contact           = conv.Contact
	Inbox             = conv.Inbox
	InboxPages        = conv.InboxPages
	InboxSection      = conv.InboxSection
	Metadata          = conv.Metadata
	Blocked           = conv.Blocked
)

const (
	ConvSMS                   = conv.ConvSMS
	ConvWhatsApp              = conv.ConvWhatsApp
	StateOpen                 = conv.StateOpen
	StateClaimed              = conv.StateClaimed
	StateResolved             = conv.StateResolved
	KindInbound               = conv.KindInbound
	KindOutbound              = conv.KindOutbound
	KindNote                  = conv.KindNote
	KindError                 = conv.KindError
	SourceTelnyx              = conv.SourceTelnyx
	SourceSlack               = conv.SourceSlack
	SourceBridge              = conv.SourceBridge
	EventThreadPost           = conv.EventThreadPost
	DirInbound                = conv.DirInbound
	DirOutbound               = conv.DirOutbound
	SchedHeld                 = conv.SchedHeld
	SchedHanded               = conv.SchedHanded
	SchedFailed               = conv.SchedFailed
	EventSMSReceived          = conv.EventSMSReceived
	EventSMSSent              = conv.EventSMSSent
	EventConversationStarted  = conv.EventConversationStarted
	EventConversationClaimed  = conv.EventConversationClaimed
	EventConversationReleased = conv.EventConversationReleased
	EventConversationResolved = conv.EventConversationResolved
	EventConversationReopened = conv.EventConversationReopened
	AutoReplyLabel            = conv.AutoReplyLabel
)

var (
	HeaderOf        = conv.HeaderOf
	CurrentThread   = conv.CurrentThread
	ErrNotFound     = conv.ErrNotFound
	MessageMetadata = conv.MessageMetadata
	HeaderMetadata  = conv.HeaderMetadata
	ChangeMetadata  = conv.ChangeMetadata
	WaitAge         = conv.WaitAge
	OrDefault       = conv.OrDefault
	Truncate        = conv.Truncate
	HumanDuration   = conv.HumanDuration
	BlockedReason   = conv.BlockedReason
	IsAutoReply     = conv.IsAutoReply
	ErrPermanent    = conv.ErrPermanent
	Permanent       = conv.Permanent
)

// The bridge's own short names for conv's helpers.
type threadPostWork = conv.ThreadPostWork

var (
	orDefault       = conv.OrDefault
	truncate        = conv.Truncate
	humanDuration   = conv.HumanDuration
	isAutoReply     = conv.IsAutoReply
	messageMetadata = conv.MessageMetadata
	changeMetadata  = conv.ChangeMetadata
)

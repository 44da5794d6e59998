package bridge

import "github.com/smsbridge/smsbridge/bridge/domain"

// The domain's vocabulary is package domain's: the records, the ports to
// Slack (Poster, MediaFetcher), what a thread post and a header say, the
// event sources and metadata, the retry contract. These aliases keep the
// bridge's importers (the Slack side, cmd/smsbridge) unchanged.

type (
	ThreadRef         = domain.ThreadRef
	ConversationState = domain.ConversationState
	Header            = domain.Header
	InboundText       = domain.InboundText
	NoteKind          = domain.NoteKind
	ThreadPost        = domain.ThreadPost
	Action            = domain.Action
	File              = domain.File
	Poster            = domain.Poster
	MediaFetcher      = domain.MediaFetcher
	UserNamer         = domain.UserNamer
	OptOutHook        = domain.OptOutHook
	Conversation      = domain.Conversation
	Message           = domain.Message
	Contact           = domain.Contact
	Inbox             = domain.Inbox
	InboxPages        = domain.InboxPages
	InboxSection      = domain.InboxSection
	Metadata          = domain.Metadata
	Blocked           = domain.Blocked
)

const (
	ConvSMS                   = domain.ConvSMS
	ConvWhatsApp              = domain.ConvWhatsApp
	StateOpen                 = domain.StateOpen
	StateClaimed              = domain.StateClaimed
	StateResolved             = domain.StateResolved
	KindInbound               = domain.KindInbound
	KindOutbound              = domain.KindOutbound
	KindNote                  = domain.KindNote
	KindError                 = domain.KindError
	SourceTelnyx              = domain.SourceTelnyx
	SourceSlack               = domain.SourceSlack
	SourceBridge              = domain.SourceBridge
	EventThreadPost           = domain.EventThreadPost
	DirInbound                = domain.DirInbound
	DirOutbound               = domain.DirOutbound
	SchedHeld                 = domain.SchedHeld
	SchedHanded               = domain.SchedHanded
	SchedFailed               = domain.SchedFailed
	EventSMSReceived          = domain.EventSMSReceived
	EventSMSSent              = domain.EventSMSSent
	EventConversationStarted  = domain.EventConversationStarted
	EventConversationClaimed  = domain.EventConversationClaimed
	EventConversationReleased = domain.EventConversationReleased
	EventConversationResolved = domain.EventConversationResolved
	EventConversationReopened = domain.EventConversationReopened
	AutoReplyLabel            = domain.AutoReplyLabel
)

var (
	ModalSendKey     = domain.ModalSendKey
	PickedSendKey    = domain.PickedSendKey
	QuietSendKey     = domain.QuietSendKey
	AnonymousSendKey = domain.AnonymousSendKey
	HeaderOf         = domain.HeaderOf
	CurrentThread    = domain.CurrentThread
	ErrNotFound      = domain.ErrNotFound
	MessageMetadata  = domain.MessageMetadata
	HeaderMetadata   = domain.HeaderMetadata
	ChangeMetadata   = domain.ChangeMetadata
	WaitAge          = domain.WaitAge
	OrDefault        = domain.OrDefault
	Truncate         = domain.Truncate
	HumanDuration    = domain.HumanDuration
	BlockedReason    = domain.BlockedReason
	IsAutoReply      = domain.IsAutoReply
	ErrPermanent     = domain.ErrPermanent
	Permanent        = domain.Permanent
)

// The bridge's own short names for domain's helpers.
type threadPostWork = domain.ThreadPostWork

var (
	changeMetadata = domain.ChangeMetadata
)

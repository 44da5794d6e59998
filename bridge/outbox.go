package bridge

import (
	"context"

	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/bridge/sender"
	"github.com/smsbridge/smsbridge/store"
)

// The outbox is package outbox's: every message that leaves smsbridge, its
// sending, pacing, media and delivery states. These names keep its
// importers (the Slack side, webhooks, cmd/smsbridge) unchanged.
type (
	OutboundConfig   = outbox.Config
	Outbound         = outbox.Outbound
	SlackReply       = outbox.SlackReply
	SlackFile        = outbox.SlackFile
	QuietError       = outbox.QuietError
	SendRequest      = outbox.SendRequest
	Queued           = outbox.Queued
	RefusedError     = outbox.RefusedError
	Notifier         = outbox.Notifier
	TelnyxSender     = sender.TelnyxSender
	OutSMS           = sender.OutSMS
	SentSMS          = sender.SentSMS
	SMSSender        = sender.SMSSender
	SlackFileFetcher = outbox.SlackFileFetcher
	SendErrorKind    = sender.SendErrorKind
	SendError        = sender.SendError
)

const (
	ActionSendAgain     = outbox.ActionSendAgain
	ActionScheduleQuiet = outbox.ActionScheduleQuiet
	SlackTypeMessage    = outbox.SlackTypeMessage
	SlackTypeSendAgain  = outbox.SlackTypeSendAgain
	ReplyEdited         = outbox.ReplyEdited
	ReplyDeleted        = outbox.ReplyDeleted
	ReactQueued         = outbox.ReactQueued
	ReactDelivered      = outbox.ReactDelivered
	ReactFailed         = outbox.ReactFailed
	ReactAmbiguous      = outbox.ReactAmbiguous
	ReactUnconfirmed    = outbox.ReactUnconfirmed
	ReactRefused        = outbox.ReactRefused
	MaxSegments         = outbox.MaxSegments
	MaxWhatsAppText     = outbox.MaxWhatsAppText
	EventSend           = outbox.EventSend
	SendAmbiguous       = sender.SendAmbiguous
	SendNotSent         = sender.SendNotSent
	SendOptedOut        = sender.SendOptedOut
	SendRejected        = sender.SendRejected
)

var (
	Explain           = outbox.Explain
	ErrorWords        = outbox.ErrorWords
	ClassifySendError = sender.ClassifySendError
	defaultSegments   = sender.DefaultSegments
)

// NewOutbound wires the outbound pipeline onto b and registers its handlers
// on b's engine: Slack replies, "Send again", and Telnyx's message.sent and
// message.finalized. files and names may be nil (no MMS, no signature).
func NewOutbound(b *Bridge, sender SMSSender, files SlackFileFetcher, names UserNamer, cfg OutboundConfig) *Outbound {
	deps := outbox.Deps{Domain: b, Store: b.st, Poster: b.poster, Engine: b.engine, Log: b.log}
	return outbox.New(deps, sender, files, names, cfg)
}

// What the outbox asks of the bridge besides its exported API (outbox.Domain).

// RecordTelnyxOptOut records that Telnyx refused a text to conv's number
// because it opted out (40300).
func (b *Bridge) RecordTelnyxOptOut(ctx context.Context, conv *store.Conversation) error {
	return b.consent.RecordTelnyxOptOut(ctx, conv)
}

// Record retries fn, a write that follows a call that succeeded, until it
// succeeds or ctx ends (record.go).
func (b *Bridge) Record(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	return b.record(ctx, what, fn)
}

// ChannelOf is the channel of conv's thread, or the channel its number
// routes to when it has none yet.
func (b *Bridge) ChannelOf(ctx context.Context, conv *store.Conversation) (string, error) {
	return b.channelOf(ctx, conv)
}

var _ outbox.Domain = (*Bridge)(nil)

package store

import (
	"time"

	"github.com/smsbridge/smsbridge/store/consent"
	"github.com/smsbridge/smsbridge/store/conversations"
	"github.com/smsbridge/smsbridge/store/model"
	"github.com/smsbridge/smsbridge/store/work"
)

// The store's vocabulary lives in its parts (the tables and their states
// in store/model); these aliases keep it reachable as store.X, so callers
// import one package and a part can move without them noticing.

// Tables (store/model): today's schema.
type (
	Event            = model.Event
	Lane             = model.Lane
	EventCount       = model.EventCount
	Instance         = model.Instance
	Conversation     = model.Conversation
	Message          = model.Message
	Route            = model.Route
	Thread           = model.Thread
	OutboxMedia      = model.OutboxMedia
	ScheduledMessage = model.ScheduledMessage
	Confirmation     = model.Confirmation
	OptOut           = model.OptOut
	OurNumber        = model.OurNumber
	Contact          = model.Contact
	SavedReply       = model.SavedReply
	BusinessHours    = model.BusinessHours
	Holiday          = model.Holiday
	AutoReply        = model.AutoReply
	Budget           = model.Budget
	BudgetHold       = model.BudgetHold
	WriteProbe       = model.WriteProbe
)

// What the parts' methods take and answer besides the tables.
type (
	Section       = conversations.Section
	Inbox         = conversations.Inbox
	InboxPages    = conversations.InboxPages
	Lift          = consent.Lift
	Gauges        = work.Gauges
	RetentionStep = work.RetentionStep
)

// States and statuses as stored (store/model).
const (
	EventPending       = model.EventPending
	EventDone          = model.EventDone
	EventFailed        = model.EventFailed
	EventIgnored       = model.EventIgnored
	KindSMS            = model.KindSMS
	KindWhatsApp       = model.KindWhatsApp
	Inbound            = model.Inbound
	Outbound           = model.Outbound
	StateOpen          = model.StateOpen
	StateClaimed       = model.StateClaimed
	StateResolved      = model.StateResolved
	OutPending         = model.OutPending
	OutSending         = model.OutSending
	OutAmbiguous       = model.OutAmbiguous
	OutRefused         = model.OutRefused
	OutNotSent         = model.OutNotSent
	OutOptedOut        = model.OutOptedOut
	OutQueued          = model.OutQueued
	OutSent            = model.OutSent
	OutDelivered       = model.OutDelivered
	OutFailed          = model.OutFailed
	OutUnconfirmed     = model.OutUnconfirmed
	OutExpired         = model.OutExpired
	OutHeldQuiet       = model.OutHeldQuiet
	OutRescheduled     = model.OutRescheduled
	AutoReplyKeyPrefix = model.AutoReplyKeyPrefix
	SchedHeld          = model.SchedHeld
	SchedHanding       = model.SchedHanding
	SchedHanded        = model.SchedHanded
	SchedCancelled     = model.SchedCancelled
	SchedFailed        = model.SchedFailed
	SchedUnknown       = model.SchedUnknown
	SchedMissed        = model.SchedMissed
	OptOutKeyword      = model.OptOutKeyword
	OptOutTelnyx       = model.OptOutTelnyx
	OptOutTelnyxList   = model.OptOutTelnyxList
	OptOutManual       = model.OptOutManual

	// RetentionBatch is how many consecutive ids one retention step covers.
	RetentionBatch = work.RetentionBatch
)

// Errors the store answers with; compare with errors.Is.
var (
	ErrNotFound = model.ErrNotFound // a row the caller asked for does not exist
	ErrExists   = model.ErrExists   // a row with the same unique name exists
	ErrClosed   = work.ErrClosed    // work asked of a closed store
	ErrNotRead  = work.ErrNotRead   // gauges asked before their first read
)

// OwnerPrefix is how every lease owner of instance id begins.
func OwnerPrefix(id string) string { return work.OwnerPrefix(id) }

// NotWaiting are the fields that end a waiting spell (see
// conversations.NotWaiting).
func NotWaiting(now time.Time) map[string]any { return conversations.NotWaiting(now) }

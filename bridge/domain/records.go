package domain

import "github.com/smsbridge/smsbridge/store"

// The records the domain hands to the Slack side, which reads them and
// never imports the store (internal/layout checks it). They are aliases,
// not copies: what the store keeps is what is shown.
type (
	Conversation = store.Conversation // one thread's numbers, state and last activity
	Message      = store.Message      // one text of a conversation, either direction
	Contact      = store.Contact      // a remote number's name
	Inbox        = store.Inbox        // the App Home's sections for one user
	InboxPages   = store.InboxPages   // where each App Home section's page starts
	InboxSection = store.Section      // one App Home section: a page, its offset, its count
)

// ErrNotFound is the store's: errors.Is matches either name.
var ErrNotFound = store.ErrNotFound

// Message directions (Message.Direction, Conversation.LastDirection).
const (
	DirInbound  = store.Inbound
	DirOutbound = store.Outbound
)

// Scheduled message states (ScheduledMessage.State).
const (
	SchedHeld   = store.SchedHeld
	SchedHanded = store.SchedHanded
	SchedFailed = store.SchedFailed
)

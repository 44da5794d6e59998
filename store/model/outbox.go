package model

import "time"

// Outbound message statuses (Message.Status). An outbound message is the
// durable outbox entry of a Slack reply: OutboxKey makes it unique per Slack
// message, and its status says how far sending got.
const (
	// OutPending: committed, not attempted (or attempted and proven unsent).
	OutPending = "pending"
	// OutSending: an attempt was recorded and Telnyx called; no result yet.
	// Found on a restart, it means the outcome is unknown (ambiguous).
	OutSending = "sending"
	// OutAmbiguous: the attempt may or may not have reached the phone; a
	// person decides with "Send again".
	OutAmbiguous   = "ambiguous"
	OutRefused     = "refused"   // not sent by our own rules (too long, no PUBLIC_BASE_URL, …)
	OutNotSent     = "not_sent"  // Telnyx could not take it for too long; a person decides
	OutOptedOut    = "opted_out" // not sent: the recipient opted out
	OutQueued      = "queued"    // accepted by Telnyx
	OutSent        = "sent"      // message.sent
	OutDelivered   = "delivered"
	OutFailed      = "failed" // rejected by Telnyx, or finalized as not delivered
	OutUnconfirmed = "delivery_unconfirmed"
	OutExpired     = "expired"
)

// OutboxMedia is a file a teammate attached to a thread reply, fetched from
// Slack and served to Telnyx at PUBLIC_BASE_URL/media/{Token} until
// ExpiresAt. (MessageID, Position) is unique, so a retried send reuses the
// token it made the first time.
type OutboxMedia struct {
	Token       string `gorm:"primaryKey;size:64"`
	MessageID   uint64 `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:1"`
	Position    int    `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:2"`
	Name        string `gorm:"size:255"`
	ContentType string `gorm:"size:128"`
	Body        []byte
	ExpiresAt   time.Time `gorm:"not null;index"`
	CreatedAt   time.Time
}

// Outbox states of quiet hours (bridge/quiet.go): a thread reply typed in
// the recipient's quiet hours is held until a teammate sends it anyway
// (back to pending) or schedules it (rescheduled, final).
const (
	OutHeldQuiet   = "held_quiet"
	OutRescheduled = "rescheduled"
)

// AutoReplyKeyPrefix starts the outbox key of every auto-reply: they are
// outbound, but not an answer from the team.
const AutoReplyKeyPrefix = "send:autoreply:"

// ScheduledMessage is a message a teammate scheduled. Telnyx takes send_at
// only 5 minutes to 5 days ahead, so a message due later is held here and
// handed to Telnyx when it comes into that window; one due sooner is handed
// over at once. Either way it is listed and cancelled from here.
type ScheduledMessage struct {
	ID uint64 `gorm:"primaryKey"`
	// From is our sender: a +E.164 number, a short code or an alphanumeric
	// sender ID; ProfileID is set for the number pool and alphanumeric senders.
	From      string `gorm:"size:32;not null"`
	ProfileID string `gorm:"size:64"`
	To        string `gorm:"size:32;not null"`
	Text      string
	// Media is a JSON array of URLs.
	Media  string
	SendAt time.Time `gorm:"not null;index:ix_sched_status_send,priority:2"`
	// Status is one of the Sched* constants.
	Status string `gorm:"size:16;not null;index:ix_sched_status_send,priority:1"`
	// TelnyxID is set once Telnyx has accepted the message.
	TelnyxID *string `gorm:"size:64;uniqueIndex"`
	// HandoffAt is when a hand-off to Telnyx was started (Status handing).
	HandoffAt     *time.Time
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	CreatedBy     string `gorm:"size:32"`
	CancelledBy   string `gorm:"size:32"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Scheduled message statuses. held → handing → handed is the happy path;
// a hand-off whose outcome is unknown (a crash or a timeout after the
// request was written) becomes unknown and is never resent automatically.
const (
	SchedHeld      = "held"      // waiting in smsbridge for the 5-day window
	SchedHanding   = "handing"   // a hand-off to Telnyx is in flight
	SchedHanded    = "handed"    // scheduled at Telnyx (TelnyxID set)
	SchedCancelled = "cancelled" // cancelled here or at Telnyx
	SchedFailed    = "failed"    // Telnyx refused it; LastError says why
	SchedUnknown   = "unknown"   // the hand-off may or may not have reached Telnyx
	SchedMissed    = "missed"    // smsbridge was down when it was due
)

// Confirmation is a request held until a teammate presses Confirm
// (migration 18). The button carries only Token; Payload is the request
// (JSON, the caller's), which can be far longer than a button's value.
type Confirmation struct {
	Token     string    `gorm:"primaryKey;size:64"`
	Kind      string    `gorm:"size:32;not null"`
	UserID    string    `gorm:"size:32;not null"`
	Channel   string    `gorm:"size:32"`
	Payload   string    `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index:ix_confirmations_expires"`
	CreatedAt time.Time `gorm:"not null"`
}

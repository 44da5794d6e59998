package model

import "time"

// The models are today's schema. Migrations (migrate_NNNN_*.go) build it
// step by step, each from frozen copies of the tables as it shipped them;
// TestMigrationsBuildTheModelsSchema checks that the two agree, so a change
// here needs its migration.

// Conversation is our number plus the set of remote numbers, and the Slack
// thread it lives in.
type Conversation struct {
	ID        uint64 `gorm:"primaryKey"`
	OurNumber string `gorm:"size:32;not null;uniqueIndex:ux_conv_numbers_kind,priority:1"`
	// RemoteKey is the sorted, comma-joined remote numbers.
	RemoteKey string `gorm:"size:512;not null;uniqueIndex:ux_conv_numbers_kind,priority:2;index:ix_conv_remote_activity,priority:1"`
	// Kind is the channel the conversation speaks: KindSMS (SMS and MMS)
	// or KindWhatsApp. The same numbers on SMS and on WhatsApp are two
	// conversations; each is answered the way it came.
	Kind     string `gorm:"size:16;not null;default:sms;uniqueIndex:ux_conv_numbers_kind,priority:3"`
	Channel  string `gorm:"size:32"`
	ThreadTS string `gorm:"size:32;index:ix_conv_thread"`
	// PrevChannel/PrevThreadTS name the thread this one continues, when a
	// conversation started a fresh thread after a long silence.
	PrevChannel  string     `gorm:"size:32"`
	PrevThreadTS string     `gorm:"size:32;index:ix_conv_prev_thread"`
	State        string     `gorm:"size:16;not null;default:open;index:ix_conv_assignee_state_activity,priority:2;index:ix_conv_state_direction_activity,priority:1;index:ix_conv_state_resolved,priority:1"`
	AssigneeID   string     `gorm:"size:32;index;index:ix_conv_assignee_state_activity,priority:1"`
	ResolvedBy   string     `gorm:"size:32"`
	ResolvedAt   *time.Time `gorm:"index:ix_conv_state_resolved,priority:2"`
	// OptedOut caches whether a member has an active opt-out from our
	// number (the opt_outs records decide; this is what headers and the
	// App Home show). OptOutKeyword and OptOutAt say which and when.
	OptedOut       bool   `gorm:"index:ix_conv_waiting,priority:1"`
	OptOutKeyword  string `gorm:"size:32"`
	OptOutAt       *time.Time
	LastActivityAt time.Time `gorm:"index;index:ix_conv_assignee_state_activity,priority:3;index:ix_conv_state_direction_activity,priority:3;index:ix_conv_remote_activity,priority:2"`
	// LastDirection is "inbound" or "outbound": an inbound last message means
	// the conversation waits for an answer.
	LastDirection string `gorm:"size:16;index:ix_conv_state_direction_activity,priority:2"`
	LastText      string
	// WaitingSince is when the first unanswered inbound text of this
	// waiting spell came; nil when the conversation waits for nobody
	// (answered, resolved). WaitingCount counts the spell's texts.
	// WaitingSignaled says the channel was shown this spell (a broadcast,
	// or the header of a new thread); Nudged that its nudge was claimed.
	WaitingSince    *time.Time `gorm:"index:ix_conv_waiting,priority:2;index:ix_conv_nudge,priority:2"`
	WaitingCount    int        `gorm:"not null;default:0"`
	WaitingSignaled bool       `gorm:"not null;default:false"`
	Nudged          bool       `gorm:"not null;default:false;index:ix_conv_nudge,priority:1"`
	// HeaderAt is when the header was last rewritten to show the wait;
	// HeaderDueAt when it next needs rewriting (its age or count is out of
	// date), nil when nothing is due.
	HeaderAt    *time.Time
	HeaderDueAt *time.Time `gorm:"index:ix_conv_header_due"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Message is one SMS or MMS of a conversation, either direction.
type Message struct {
	ID             uint64 `gorm:"primaryKey"`
	ConversationID uint64 `gorm:"not null;index:ix_messages_conv,priority:1"`
	Direction      string `gorm:"size:16;not null"`
	// TelnyxID is unique; nil until Telnyx has accepted an outbound message.
	TelnyxID *string `gorm:"size:64;uniqueIndex"`
	// OutboxKey is unique per Slack message that became an SMS ("C123:1700.0001"),
	// so a redelivered or repeated Slack event cannot send twice.
	OutboxKey  *string `gorm:"size:96;uniqueIndex"`
	FromNumber string  `gorm:"size:32"`
	ToNumbers  string  `gorm:"size:512"`
	Text       string
	// Media is a JSON array of URLs.
	Media string
	// MediaDone counts media already uploaded to Slack (inbound), so a retry
	// resumes where it stopped.
	MediaDone int
	Status    string `gorm:"size:32"`
	ErrorText string
	Segments  int
	Encoding  string `gorm:"size:16"`
	AuthorID  string `gorm:"size:32"`
	// SlackChannel/SlackTS is the Slack post of this message: the thread post
	// for inbound, the teammate's reply for outbound.
	SlackChannel string    `gorm:"size:32"`
	SlackTS      string    `gorm:"size:32"`
	CreatedAt    time.Time `gorm:"index:ix_messages_conv,priority:2"`
	UpdatedAt    time.Time
}

// Conversation kinds.
const (
	KindSMS      = "sms"
	KindWhatsApp = "whatsapp"
)

// Message directions.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// Route overrides SLACK_ROUTES for one of our numbers.
type Route struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Channel   string `gorm:"size:32;not null"`
	SetBy     string `gorm:"size:32"`
	UpdatedAt time.Time
}

// Thread is one Slack thread a conversation has lived in. A conversation
// that starts a fresh thread after a long silence keeps its older threads
// here, so a reply in any of them is recognised (and answered that it was
// not sent), not silently ignored.
type Thread struct {
	Channel        string `gorm:"primaryKey;size:32"`
	TS             string `gorm:"primaryKey;size:32"`
	ConversationID uint64 `gorm:"not null;index"`
	CreatedAt      time.Time
}

// Conversation states, as stored.
const (
	StateOpen     = "open"
	StateClaimed  = "claimed"
	StateResolved = "resolved"
)

package model

import "time"

// OptOut is one person's opt-out from one of our numbers (and, when the
// number's messaging profile is known, from the whole profile: Telnyx
// blocks a STOP for every number on it). It is never deleted: an opt-in
// lifts it (LiftedAt) and the record stays as the consent history.
type OptOut struct {
	ID        uint64 `gorm:"primaryKey"`
	Remote    string `gorm:"size:512;not null;index:ix_optouts_remote,priority:1"`
	OurNumber string `gorm:"size:32;not null"`
	ProfileID string `gorm:"size:64;not null;default:''"`
	// Source is OptOutKeyword, OptOutTelnyx (a send refused with 40300),
	// OptOutTelnyxList (Telnyx's opt-out list) or OptOutManual (a
	// teammate recorded it: SetBy).
	Source    string    `gorm:"size:16;not null"`
	Keyword   string    `gorm:"size:32"`
	Text      string    // the text that opted out, as received
	SetBy     string    `gorm:"size:32;not null;default:''"` // the teammate of a manual opt-out
	CreatedAt time.Time `gorm:"not null"`
	// The opt-in that lifted it. Lifting sets these once; a lifted record
	// is never lifted again or overwritten, and a new opt-out is a new record.
	LiftedAt     *time.Time `gorm:"index:ix_optouts_remote,priority:2"`
	LiftedBy     string     `gorm:"size:32"` // the opt-in keyword ("START"), or "manual"
	LiftText     string
	LiftedNumber string `gorm:"size:32;not null;default:''"` // our number the opt-in came to
	LiftedByUser string `gorm:"size:32;not null;default:''"` // the teammate of a manual opt-in
}

// Opt-out sources.
const (
	OptOutKeyword    = "keyword"
	OptOutTelnyx     = "telnyx_40300"
	OptOutTelnyxList = "telnyx_list"
	OptOutManual     = "manual"
)

// OurNumber remembers the messaging profile of one of our numbers, as
// Telnyx's webhooks name it.
type OurNumber struct {
	Number    string `gorm:"primaryKey;size:32"`
	ProfileID string `gorm:"size:64;not null;default:'';index"`
	UpdatedAt time.Time
}

// Contact is a name the team gave a phone number (/sms contact). Number is
// E.164; the name is shown in thread headers and the App Home.
type Contact struct {
	Number    string `gorm:"primaryKey;size:32"`
	Name      string `gorm:"size:200;not null"`
	SetBy     string `gorm:"size:32"` // Slack user id
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SavedReply is a text the team saved to send again (/sms reply add). Its
// text may hold variables ({name}, {first_name}, {our_number}, {agent}),
// filled from the conversation when it is used (bridge.FillReply).
type SavedReply struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:64;not null;uniqueIndex:ux_saved_replies_name"`
	Text      string `gorm:"not null"`
	CreatedBy string `gorm:"size:32;not null"` // Slack user id
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BusinessHours is when the team answers texts to one of our numbers
// (/sms hours). Week is the normalized schedule ("mon-fri 09:00-17:30,
// sat 10:00-14:00"; empty: no hours set), read in TimeZone (an IANA
// name). Reply is the auto-reply sent outside those hours; empty: none.
// The bridge parses and applies them; the store only keeps them.
type BusinessHours struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Week      string `gorm:"size:255;not null;default:''"`
	TimeZone  string `gorm:"size:64;not null;default:''"`
	Reply     string `gorm:"not null;default:''"`
	SetBy     string `gorm:"size:32"` // Slack user id of the last change
	UpdatedAt time.Time
}

// Holiday is a date (YYYY-MM-DD, in the hours' time zone) on which one of
// our numbers is closed all day.
type Holiday struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Date      string `gorm:"primaryKey;size:10"`
	SetBy     string `gorm:"size:32"`
	CreatedAt time.Time
}

// AutoReply is when a conversation last got the auto-reply, and the
// inbound message (its Telnyx id) that earned it: a retry of that
// message's handler finds its own claim and queues the same work again
// (which the outbox key makes a no-op), instead of losing it.
type AutoReply struct {
	ConversationID uint64    `gorm:"primaryKey;autoIncrement:false"`
	LastAt         time.Time `gorm:"not null"`
	TriggerID      string    `gorm:"size:64;not null"`
}

package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Migration 1: the first schema. The structs below are the tables as this
// migration shipped them, frozen: the models in models.go may change, and a
// change reaches existing databases only through a new migration
// (TestMigrationsBuildTheModelsSchema compares the two).

type event0001 struct {
	ID            uint64 `gorm:"primaryKey"`
	Source        string `gorm:"size:16;not null;uniqueIndex:ux_events_source_external,priority:1"`
	ExternalID    string `gorm:"size:191;not null;uniqueIndex:ux_events_source_external,priority:2"`
	Type          string `gorm:"size:64;not null"`
	Lane          string `gorm:"size:255;not null;index:ix_events_lane_status,priority:1"`
	Status        string `gorm:"size:16;not null;index:ix_events_lane_status,priority:2"`
	Payload       []byte
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	ReceivedAt    time.Time `gorm:"not null"`
	DoneAt        *time.Time
}

func (event0001) TableName() string { return "events" }

type lane0001 struct {
	Name       string     `gorm:"primaryKey;size:255"`
	DueAt      *time.Time `gorm:"index"`
	LeaseOwner string     `gorm:"size:64"`
	LeaseUntil *time.Time
}

func (lane0001) TableName() string { return "lanes" }

type conversation0001 struct {
	ID             uint64 `gorm:"primaryKey"`
	OurNumber      string `gorm:"size:32;not null;uniqueIndex:ux_conv_numbers,priority:1"`
	RemoteKey      string `gorm:"size:512;not null;uniqueIndex:ux_conv_numbers,priority:2"`
	Channel        string `gorm:"size:32"`
	ThreadTS       string `gorm:"size:32;index:ix_conv_thread"`
	PrevChannel    string `gorm:"size:32"`
	PrevThreadTS   string `gorm:"size:32"`
	State          string `gorm:"size:16;not null;default:open"`
	AssigneeID     string `gorm:"size:32;index"`
	ResolvedBy     string `gorm:"size:32"`
	ResolvedAt     *time.Time
	OptedOut       bool
	OptOutKeyword  string `gorm:"size:32"`
	OptOutAt       *time.Time
	LastActivityAt time.Time `gorm:"index"`
	LastDirection  string    `gorm:"size:16"`
	LastText       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (conversation0001) TableName() string { return "conversations" }

type message0001 struct {
	ID             uint64  `gorm:"primaryKey"`
	ConversationID uint64  `gorm:"not null;index:ix_messages_conv,priority:1"`
	Direction      string  `gorm:"size:16;not null"`
	TelnyxID       *string `gorm:"size:64;uniqueIndex"`
	OutboxKey      *string `gorm:"size:96;uniqueIndex"`
	FromNumber     string  `gorm:"size:32"`
	ToNumbers      string  `gorm:"size:512"`
	Text           string
	Media          string
	MediaDone      int
	Status         string `gorm:"size:32"`
	ErrorText      string
	Segments       int
	Encoding       string    `gorm:"size:16"`
	AuthorID       string    `gorm:"size:32"`
	SlackChannel   string    `gorm:"size:32"`
	SlackTS        string    `gorm:"size:32"`
	CreatedAt      time.Time `gorm:"index:ix_messages_conv,priority:2"`
	UpdatedAt      time.Time
}

func (message0001) TableName() string { return "messages" }

type route0001 struct {
	OurNumber string `gorm:"primaryKey;size:32"`
	Channel   string `gorm:"size:32;not null"`
	SetBy     string `gorm:"size:32"`
	UpdatedAt time.Time
}

func (route0001) TableName() string { return "routes" }

func init() {
	registerMigration(1, "events, lanes, conversations, messages, routes", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&event0001{}, &lane0001{}, &conversation0001{}, &message0001{}, &route0001{})
	})
}

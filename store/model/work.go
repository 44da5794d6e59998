package model

import "time"

// Event is a webhook or Slack event as it was received, and the state of the
// work it causes. Work is done from here, so an acknowledged event survives a
// crash. (Source, ExternalID) is unique: a redelivery inserts nothing.
type Event struct {
	ID         uint64 `gorm:"primaryKey;index:ix_events_status_id,priority:2"`
	Source     string `gorm:"size:16;not null;uniqueIndex:ux_events_source_external,priority:1"`
	ExternalID string `gorm:"size:191;not null;uniqueIndex:ux_events_source_external,priority:2"`
	Type       string `gorm:"size:64;not null"`
	// Lane orders work: events of one lane are handled one at a time, in id
	// order. A conversation's events share its lane. Empty means no work.
	Lane          string `gorm:"size:255;not null;index:ix_events_lane_status,priority:1"`
	Status        string `gorm:"size:16;not null;index:ix_events_lane_status,priority:2;index:ix_events_status_id,priority:1"`
	Payload       []byte
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	ReceivedAt    time.Time `gorm:"not null"`
	DoneAt        *time.Time
}

// Event statuses.
const (
	EventPending = "pending"
	EventDone    = "done"
	EventFailed  = "failed"  // gave up; LastError says why
	EventIgnored = "ignored" // stored and acknowledged, nothing to do
)

// Lane is a queue of work with a lease: a worker owns a lane until
// LeaseUntil, so a crashed worker's lanes are taken again once it runs out.
// DueAt is when the lane's head event may next be tried; nil when idle.
type Lane struct {
	Name       string     `gorm:"primaryKey;size:255"`
	DueAt      *time.Time `gorm:"index"`
	LeaseOwner string     `gorm:"size:64"`
	LeaseUntil *time.Time
}

// EventCount is part of the number of events with a status. The counts are
// changed in the same transaction as the statuses they count, so reading
// them costs the same at any size. On PostgreSQL each transaction adds to
// one of several rows per status (shards), chosen at random, so replicas
// finishing events at once do not queue on one hot row; a read sums them.
type EventCount struct {
	Status string `gorm:"primaryKey;size:16"`
	Shard  int    `gorm:"primaryKey;autoIncrement:false"`
	N      int64  `gorm:"not null"`
}

// Instance is one stable identity of a running process (a replica). Its
// workers' lease owners start with ID + "/": a process restarted under the
// same id finds the leases its dead predecessor held and releases them at
// once. Boot names the process now holding the id (a new one per start);
// BeatAt is when it last said it is alive, nil when it stopped cleanly.
type Instance struct {
	ID     string `gorm:"primaryKey;size:40"`
	Boot   string `gorm:"size:16;not null"`
	BeatAt *time.Time
}

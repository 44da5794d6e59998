// Package model is the store's vocabulary: today's tables as gorm models,
// the states and statuses stored in them, and the errors every part of the
// store answers with. The rest of the store and its callers (through the
// aliases in package store) speak it; it holds no queries.
//
// It must not import gorm, anything else of smsbridge, gin, slack-go or
// Telnyx's packages (internal/layout checks this). The migrations never
// read it: they build from frozen copies of the tables as they shipped, and
// TestMigrationsBuildTheModelsSchema (package store) compares the two, so a
// change here needs its migration.
package model

import "errors"

// ErrNotFound is returned when a row the caller asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when a row with the same unique name exists.
var ErrExists = errors.New("already exists")

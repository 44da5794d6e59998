// Package inbox is the team's shared inbox in Slack: the App Home (what
// waits, what is mine, what is unassigned, what was resolved lately; each
// section with its count, paged within Slack's 100 blocks, each row with
// Claim / Resolve / Open thread) and the buttons on a thread's header (claim, resolve, reopen, unassign,
// reassign). The rules for who may do what live in bridge; this package
// asks and renders the answer.
//
// It imports slackpost, slackin and bridge; never store, gorm, gin,
// webhooks or smscmd (internal/layout checks it).
package inbox

// Package telnyxacct is the account side of the Telnyx API, for the /sms
// lookups and settings: the account's messaging numbers and their settings
// (list, get, find by E.164, change a profile, product or tags), bulk moves
// of numbers to a profile (and waiting for the order), and the opt-out list,
// each a page at a time or as an iterator. Nothing here sends a message:
// sends are package telnyx's, made only by bridge's outbox.
//
// Its Client embeds the telnyx.Client and calls through it (Do), so one
// value has the client's methods and these, with the same retries, errors
// and key handling. Its contract tests run against the spec-validating
// fake; telnyx/'s TestEveryOperationIsExercised checks that the two
// packages together reach every operation of the spec.
//
// It imports neither gin, slack-go nor gorm, nor the store, bridge,
// webhooks, telnyxhook or the Slack packages (internal/layout checks it).
package telnyxacct

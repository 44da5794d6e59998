// Package telnyx is the client of the Telnyx Messaging API v2: it sends,
// schedules, cancels and looks up messages (SMS, MMS, group MMS, WhatsApp)
// and fetches inbound media. It owns the message record that API answers
// and webhooks share (Message), the retry policy that never sends a
// message twice, and the errors callers branch on (NotSent, IsAmbiguous,
// IsRateLimited, ...).
//
// The account's numbers, profiles and opt-out list are package
// telnyxacct's (through Client.Do), webhooks package telnyxhook's, and phone
// numbers and SMS segments package phone's. telnyx imports neither gin,
// slack-go nor gorm, nor the store, bridge, webhooks, telnyxhook or the
// Slack packages (internal/layout checks it).
package telnyx

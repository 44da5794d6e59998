// Package cmdkit is what every /sms command is built from: its
// dependencies (Deps, and SMSAPI, the part of Telnyx's API /sms may call:
// lookups and number settings, never sends), the Kit they register with
// and its shared helpers (the channel's sender, the teammate's time zone,
// the admin check and notice, answers through response_url, Slack's and
// Telnyx's failures in words), and the readers of what a teammate types:
// numbers in any written form, senders, flags, channels, Slack's markup,
// and times ("tomorrow 9am", "in 2h", on the recipient's clock with
// --their-time) with the limits a schedule must keep.
//
// It is the bottom of /sms: it imports slackpost, slackin, bridge,
// telnyx, telnyxacct and phone, and none of smscmd's packages; never store, gorm, gin, webhooks
// or inbox (internal/layout checks it).
package cmdkit

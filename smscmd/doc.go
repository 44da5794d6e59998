// Package smscmd is the /sms slash command and its modals: send, group,
// whatsapp, schedule and cancel, the compose modal, contact and history,
// opt-outs, numbers and messaging profiles, 10DLC registration, bulk
// updates, and the time parser behind "tomorrow 9am". Every send is handed
// to bridge.Outbound (the one way out); lookups go to Telnyx through the
// SMSAPI interface.
//
// It imports slackpost, slackin, bridge and telnyx; never store, gorm, gin,
// webhooks or inbox (internal/layout checks it).
package smscmd

// Package smscmd is the /sms slash command and its modals: send, group,
// whatsapp, schedule and cancel, the compose modal, contact and history,
// opt-outs, saved replies (with the thread's "Send saved reply" shortcut),
// the consent record and the CSV exports to the asker's DM, numbers and
// messaging profiles, 10DLC registration, bulk updates, business hours
// (/sms hours), the quiet-hours question (Send anyway, Schedule for their
// morning), and the time parser behind "tomorrow 9am" (read on the
// recipient's clock with --their-time). Every send is handed to
// bridge.Outbound (the one way out); lookups go to Telnyx through the
// SMSAPI interface.
//
// It imports slackpost, slackin, bridge and telnyx; never store, gorm, gin,
// webhooks or inbox (internal/layout checks it).
package smscmd

// Package phone is what smsbridge knows of phone numbers and SMS text
// without calling anyone: which strings Telnyx sends from and to (E.164
// numbers, short codes, alphanumeric sender IDs) and how large a group may
// be, how a number a person typed becomes E.164 (NormalizeE164, with
// libphonenumber), and how a text splits into GSM-7 or UCS-2 segments.
//
// It imports nothing of smsbridge's: not telnyx or telnyxhook, nor gin,
// slack-go, gorm, the store, bridge, webhooks or the Slack packages
// (internal/layout checks it).
package phone

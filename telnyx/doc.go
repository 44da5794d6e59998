// Package telnyx is the Telnyx side of smsbridge: the Messaging API v2
// client, the webhook event types and the Ed25519 webhook verifier. It knows
// nothing of Slack or the store.
package telnyx

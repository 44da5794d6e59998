// Package sender is the outbox's port to Telnyx: one send (OutSMS), its
// answer (SentSMS), the classified failure that says whether it may have
// been sent (SendError), and TelnyxSender, which implements SMSSender with
// the Messaging API client. Of smsbridge it imports telnyx, phone and
// bridge/domain; it must not import the bridge, the store, gin, slack-go,
// webhooks or the Slack packages.
package sender

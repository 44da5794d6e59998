// Package inbound is the inbound pipeline: a text or a link click from
// Telnyx posted into its conversation's thread, once and in order. It owns
// storing a received text and relaying its media (inbound.go), coalescing
// the texts that wait for a Slack channel's turn into one post
// (coalesce.go, with the channel's turn and budget keys in slackturn.go),
// the opt-out keywords (keywords.go) and what they change, the auto-reply
// outside business hours (autoreply.go), a conversation's thread: opening
// it, what its header shows and the posts others queue into it
// (thread.go), and what waits: the header's wait, its sweep and the nudges
// (waiting.go).
//
// It asks the rest of the domain through Domain (bridge.Bridge implements
// it: routes, the opt-out policy, business hours, the inbox, the write
// retry) and gets the store, the poster, the media fetcher and the engine
// in Deps. Of smsbridge it imports the store, telnyx, telnyxhook and the
// bridge's leaves (domain, clock, pace, lanes) and the outbox (the
// auto-reply is a Send); it must not import the bridge, gin, slack-go,
// webhooks or the Slack packages.
package inbound

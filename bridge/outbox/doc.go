// Package outbox is the one way out (invariant 10): every message that
// leaves smsbridge is an outbox entry worked in its conversation's lane.
// It owns thread replies and Sends becoming entries (outbound.go,
// send.go), sending one entry and what each answer leaves it as
// (outsend.go), pacing a sender (pace.go), quiet hours on the way out
// (quiet.go), outbound media (mediaout.go), delivery states (delivery.go)
// and the words a failure is told in (explain.go).
//
// It asks the rest of the domain through Domain (bridge.Bridge implements
// it) and sends through sender.SMSSender. Of smsbridge it imports the store,
// telnyx, telnyxhook, phone and the bridge's leaves (domain, clock, pace,
// lanes, sender); it must not import the bridge, gin, slack-go, webhooks or
// the Slack packages.
package outbox

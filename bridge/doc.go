// Package bridge is the domain of smsbridge: conversations and their threads,
// the inbound and outbound pipelines, opt-out policy, scheduling and
// delivery states, business hours and the auto-reply, quiet hours. It
// declares the small interfaces it needs (a chat Poster, an SMS Sender, a
// MediaFetcher) and knows nothing of gin or slack-go.
//
// Its parts are packages of their own (DESIGN.md, "The bridge's packages"):
// domain at the bottom (ids, lanes and keys, ports, records, the retry
// contract); the leaves clock (hours, their clock, quiet hours), pace
// (sender budgets), lanes (the engine), retention (the janitor) and sender
// (the port to Telnyx); and outbox and schedule, which ask the bridge
// through interfaces they declare (outbox.Domain, schedule.Domain) that
// Bridge implements. bridge imports them all, keeps aliases for the names
// they own, and wires them (NewEngine, NewOutbound, NewScheduler,
// NewJanitor), so its importers did not change.
//
// Every layer answers work the same way: done, permanent, ambiguous, or
// retry at a time; domain/retry.go is that contract and the engine honours it.
package bridge

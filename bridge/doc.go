// Package bridge is the domain of smsbridge: conversations and their
// routes, the inbox's state changes, business hours, our numbers and held
// confirmations, and the facade over the domain's parts. It declares the
// small interfaces it needs (a chat Poster, an SMS Sender, a MediaFetcher)
// and knows nothing of gin or slack-go.
//
// Its parts are packages of their own (DESIGN.md, "The bridge's packages"):
// domain at the bottom (ids, lanes and keys, ports, records, the retry
// contract); the leaves clock (hours, their clock, quiet hours), pace
// (sender budgets), lanes (the engine), retention (the janitor) and sender
// (the port to Telnyx); inbound (received texts, coalescing, keywords, the
// auto-reply, a conversation's thread and header, what waits), consent
// (the one opt-out policy and the consent record) and replies (saved
// replies); and outbox and schedule. A part that needs the rest of the
// domain asks through an interface it declares (inbound.Domain,
// consent.Domain, outbox.Domain, schedule.Domain) that Bridge implements.
// bridge imports them all, keeps aliases for the names they own and a
// one-line method for each method of theirs its importers call, and wires
// them (New builds inbound, consent and replies; NewEngine, NewOutbound,
// NewScheduler, NewJanitor, NewWaiter), so its importers did not change.
//
// Every layer answers work the same way: done, permanent, ambiguous, or
// retry at a time; domain/retry.go is that contract and the engine honours it.
package bridge

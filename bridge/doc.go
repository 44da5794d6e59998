// Package bridge is the domain of smsbridge: conversations and their threads,
// the inbound and outbound pipelines, opt-out policy, scheduling and
// delivery states, business hours and the auto-reply, quiet hours. It
// declares the small interfaces it needs (a chat Poster, an SMS Sender, a
// MediaFetcher) and knows nothing of gin or slack-go.
//
// Its parts are packages of their own (DESIGN.md, "The bridge's packages"):
// domain at the bottom (the phone number type, every lane and dedupe key, the
// retry contract), and the leaves that import only domain and the store:
// clock (the week, hours, the recipient's zones), pace (sender budgets) and
// retention (the janitor). bridge keeps aliases for the names they own, so
// its importers did not change.
//
// Every layer answers work the same way: done, permanent, ambiguous, or
// retry at a time; domain/retry.go is that contract and the engine honours it.
package bridge

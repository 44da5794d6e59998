// Package bridge is the domain of smsbridge: conversations and their threads,
// the inbound and outbound pipelines, retries, opt-out policy, scheduling and
// delivery states, business hours and the auto-reply, the recipient's clock
// and quiet hours. It declares the small interfaces it needs (a chat Poster,
// an SMS Sender, a MediaFetcher) and knows nothing of gin or slack-go.
//
// Every layer answers work the same way: done, permanent, ambiguous, or
// retry at a time; retry.go is that contract and the engine honours it.
package bridge

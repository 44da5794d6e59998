// Package domain is the bottom of the bridge: the vocabulary every part of
// the domain shares. It owns the phone number type (E164), every lane and
// dedupe key (keys.go, one function each), the retry contract (retry.go),
// the ports to Slack (Poster, MediaFetcher, UserNamer) and what a thread
// post and a header say (ports.go), the store's records as the Slack side
// sees them (records.go), message metadata, an opt-out verdict (optout.go)
// and small text helpers. Of smsbridge it imports only the store; it must
// not import the bridge's other packages, gin, slack-go, webhooks or the
// Slack packages. Every other bridge package may import it.
package domain

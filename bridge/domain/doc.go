// Package domain is the bottom of the bridge: the vocabulary every part of the
// domain shares. It owns the phone number type (E164), every lane and
// dedupe key (keys.go, one function each) and the retry contract
// (retry.go). Of smsbridge it imports only the store, whose records it
// names; it must not import the bridge's other packages, gin, slack-go,
// webhooks or the Slack packages. Every other bridge package may import it.
package domain

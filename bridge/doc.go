// Package bridge is the domain of smsbridge: conversations and their threads,
// the inbound and outbound pipelines, retries, opt-out policy, scheduling and
// delivery states. It declares the small interfaces it needs (a chat Poster,
// an SMS Sender, a MediaFetcher) and knows nothing of gin or slack-go.
package bridge

// Package conv is the bottom of the bridge: the vocabulary every part of the
// domain shares. It owns the phone number type (E164) and the stored form
// of a conversation's remote set. It imports nothing of smsbridge and must
// not import gin, slack-go, webhooks or the Slack packages; every other
// bridge package may import it.
package conv

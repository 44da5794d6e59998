// Package telnyxhook is what Telnyx sends to smsbridge: the Ed25519
// signature over timestamp + "|" + raw body (Verifier; Sign for tests and
// tools that play Telnyx) and the webhook envelope (ParseWebhook, Event),
// with the checks that keep a signed but wrong message event out of the
// store. The message inside an event is a telnyx.Message, the record the
// API answers with too.
//
// It does no HTTP (package webhooks receives the request) and acts on
// nothing (package bridge does). It imports neither gin, slack-go nor gorm,
// nor the store, bridge, webhooks or the Slack packages (internal/layout
// checks it).
package telnyxhook

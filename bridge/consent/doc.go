// Package consent is the one opt-out policy and the consent record: who
// may not be texted from which of our numbers (MayText, the only question
// every send path asks), opt-outs and opt-ins recorded from keywords,
// Telnyx's 40300 and opt-out list, or a teammate (optout.go), what the
// conversations with a number show when its consent changes, the hooks
// an opt-out runs (a STOP cancels what is scheduled), and the exports: a
// CSV of every record and a number's transcript (consent.go).
//
// It asks the rest of the domain through Domain (bridge.Bridge implements
// it: a conversation's header, a teammate's name) and gets the store and
// the poster in Deps. Of smsbridge it imports the store, telnyxacct (an
// opt-out from Telnyx's list) and bridge/domain; it must not import the
// bridge, gin, slack-go, webhooks or the Slack packages.
package consent

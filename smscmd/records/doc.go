// Package records is what smsbridge knows of a number, in /sms: contact
// (naming a number, and what is known of it), history (its recent
// messages), optouts (Telnyx's list and smsbridge's record), consent (a
// number's opt-outs and opt-ins, a teammate's manual change) and the CSV
// exports to the asker's direct messages (a transcript, the consent
// record). It reads through the bridge (NumberStore, ContactNamer and
// bridge.Bridge), never the store.
//
// It imports cmdkit, slackpost, slackin, bridge, telnyxacct and phone; never
// store, gorm, gin, webhooks or inbox, and not smscmd or its other packages
// (internal/layout checks it).
package records

import "github.com/smsbridge/smsbridge/smscmd/cmdkit"

type commands struct{ *cmdkit.Kit }

// Register registers /sms optouts, consent and export. /sms contact and
// history are registered on their own (RegisterContactCommand,
// RegisterHistoryCommand), with the NumberCommands they read through.
func Register(kit *cmdkit.Kit) {
	s := &commands{kit}
	s.registerOptOuts()
	s.registerExports()
}

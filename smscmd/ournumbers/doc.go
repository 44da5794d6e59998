// Package ournumbers is the admin's number management in /sms: numbers and
// number (each number's messaging profile and product, changed after a
// confirmation), route (which channel a number's conversations go to),
// bulk (moving many numbers to a profile: the request waits in the store
// for its Confirm, and progress is followed in the channel) and hours
// (business hours, holidays and the auto-reply outside them). The rules
// are the bridge's; Telnyx is reached through cmdkit.SMSAPI, lookups and
// number settings only.
//
// It imports cmdkit, slackpost, slackin, bridge and telnyxacct; never store,
// gorm, gin, webhooks or inbox, and not smscmd or its other packages
// (internal/layout checks it).
package ournumbers

import "github.com/smsbridge/smsbridge/smscmd/cmdkit"

type commands struct{ *cmdkit.Kit }

// Register registers /sms numbers, number, route, bulk and hours and
// their buttons and modals.
func Register(kit *cmdkit.Kit) {
	s := &commands{kit}
	s.registerNumbers()
	s.registerBulk()
	s.registerRoute()
	s.registerHours()
}

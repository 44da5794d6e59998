// Package replies is the team's saved replies: texts saved under a name
// (/sms reply), the variables they may hold and how each is filled from
// the conversation a reply is used in, refusing one with no value before
// anything is sent, and the conversation a thread's saved reply goes to.
//
// It reads and writes the store's saved replies and contacts, and names a
// teammate through a domain.UserNamer. Of smsbridge it imports the store
// and bridge/domain; it must not import the bridge, telnyx, gin, slack-go,
// webhooks or the Slack packages.
package replies

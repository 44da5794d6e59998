// Package clock is time as the bridge reads it: a number's business week
// (week.go: "mon-fri 09:00-17:00"), its hours with holidays and the open
// time between two moments (hours.go), and the recipient's clock, their
// likely zones from libphonenumber's data (theirclock.go), and the quiet
// window a text must not arrive in unasked (quiet.go). It keeps no
// state and reaches no store; it imports only bridge/domain of smsbridge
// and must not import gin, slack-go, webhooks or the Slack packages.
package clock

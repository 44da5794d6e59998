// Package schedule is /sms schedule, scheduled and cancel (with the
// Cancel buttons), and the quiet-hours question: a send or a schedule
// that would reach the recipient in their quiet hours is not queued, and
// the teammate is asked, with Send anyway, Schedule for the end of the
// window and Schedule anyway (the question is held in the store, so the
// first press takes it); a thread reply held for quiet hours gets its
// Schedule button answered here. The rules are the bridge's
// (bridge/quiet.go, bridge.Scheduler); Send anyway goes back to the send
// family through the function Register is given.
//
// It imports cmdkit, slackpost, slackin and bridge; never store, gorm,
// gin, webhooks or inbox, and not smscmd or its other packages
// (internal/layout checks it).
package schedule

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// SendFunc sends a message now, as /sms send does (the send family's).
type SendFunc func(ctx context.Context, in cmdkit.SendInput) (*slack.Msg, error)

// Commands are the schedule commands and the quiet-hours question.
type Commands struct {
	*cmdkit.Kit
	sendNow SendFunc
}

// Register registers /sms schedule, scheduled and cancel and the
// quiet-hours question's buttons; sendNow is what Send anyway calls.
func Register(kit *cmdkit.Kit, sendNow SendFunc) *Commands {
	s := &Commands{Kit: kit, sendNow: sendNow}
	s.registerSchedule()
	s.registerQuiet()
	return s
}

package smscmd

import (
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
	"github.com/smsbridge/smsbridge/smscmd/ournumbers"
	"github.com/smsbridge/smsbridge/smscmd/records"
	"github.com/smsbridge/smsbridge/smscmd/schedule"
)

// SMSDeps is what the /sms commands need (cmdkit.Deps, named here for
// the service that assembles them).
type SMSDeps = cmdkit.Deps

// sms is the send family: send, group, whatsapp, status, the compose
// modal and saved replies.
type sms struct {
	*cmdkit.Kit
	// sched schedules (the compose modal's Send at) and asks the
	// quiet-hours question.
	sched *schedule.Commands
}

// RegisterSMSCommands registers every /sms subcommand on cmds and their
// buttons and modals on in: the send family here, and the schedule,
// ournumbers and records packages'. A bare /sms opens the compose modal.
func RegisterSMSCommands(cmds *slackin.Commands, in *slackin.Interactions, deps SMSDeps) {
	kit := cmdkit.New(cmds, in, deps)
	s := &sms{Kit: kit}
	// The quiet-hours question's Send anyway sends the way /sms send does.
	s.sched = schedule.Register(kit, s.sendNow)
	s.registerSend()
	ournumbers.Register(kit)
	records.Register(kit)
	s.registerCompose()
	s.registerReplies()
	if cmds.Default == "" {
		cmds.Default = "compose"
	}
}

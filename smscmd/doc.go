// Package smscmd is the /sms slash command: it assembles the commands
// (RegisterSMSCommands) and holds the send family: send, group, whatsapp
// and status, the compose modal (with its saved-reply select), saved
// replies (/sms reply, and the thread's "Send saved reply" shortcut) and
// the "Send from …" question when a channel sends from several numbers.
// Every send is handed to bridge.Outbound (the one way out).
//
// The rest of /sms sits beside it, each package registering its own
// commands with the kit they share:
//
//   - cmdkit: the dependencies, the helpers every command uses, and the
//     readers of arguments and times ("tomorrow 9am"); it knows none of
//     the others.
//   - schedule: schedule, scheduled, cancel, and the quiet-hours question.
//   - ournumbers: numbers, number, route, bulk and business hours.
//   - records: contact, history, opt-outs, consent and the CSV exports.
//
// It imports those, slackpost, slackin, bridge, telnyx and phone; never store,
// gorm, gin, webhooks or inbox (internal/layout checks it).
package smscmd

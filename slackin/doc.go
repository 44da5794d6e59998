// Package slackin receives what Slack sends: Events API callbacks, slash
// commands, interactions (button presses, view submissions) and the same
// three over Socket Mode. Each is checked to come from our workspace and
// app (Workspace), answered within Slack's 3 seconds, and dispatched to the
// handlers other packages register (inbox, smscmd); answers go back by
// response_url (Responder) to Slack's hosts only.
//
// Thread replies become outbound work here (SlackMessages), as does
// Send again; uploads a reply carries are read with SlackFiles.
//
// It imports slackpost and bridge; never store, gorm, gin, webhooks,
// inbox or smscmd (internal/layout checks it).
package slackin

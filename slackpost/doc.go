// Package slackpost posts conversations to Slack: thread headers and the
// texts, notes and errors in them, rendered as Block Kit with mrkdwn
// escaped, file uploads, reactions, paced per channel and retried on
// Slack's Retry-After. It implements bridge.Poster with slack-go. A
// thread post may be broadcast to the channel (reply_broadcast, its first
// part only: the signal of a conversation that waits again) and mention a
// user or a user group (a nudge); nothing else in it can mention anyone.
//
// Pacing (budget.go): every post into a channel, each retry included,
// takes a turn of the channel's budget, and chat.update and reactions of
// their tiers'; with WithSharedBudgets those are token buckets in the
// store (through bridge.Budgets), so replicas share them. Several inbound
// texts posted as one (coalescing, in bridge) render as a list with each
// one's time and sender (render_texts.go).
//
// It also holds what the rest of the Slack side renders with: escaping and
// number formatting (format.go), the header's action ids (actions.go) and
// thread links (links.go), and which hosts Slack's URLs may name
// (slackhosts.go).
//
// It is the bottom of the Slack side: it imports bridge, never store,
// segment counting, never store, gorm, gin, webhooks or the other Slack
// packages (internal/layout checks it).
package slackpost

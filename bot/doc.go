// Package bot is everything Slack: posting and updating conversation threads
// with Block Kit, file uploads, reactions, slash commands, modals, the App
// Home and Socket Mode. It implements bridge.Poster with slack-go.
package bot

// Package webhooks is the gin router: raw bodies, signature checks, size
// limits, health and metrics. Its handlers are thin: they verify, commit and
// hand over to bridge and the Slack packages (slackin).
package webhooks

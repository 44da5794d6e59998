// Package bot holds no code: its tests run the Slack side assembled the way
// cmd/smsbridge assembles it (slackpost, slackin, inbox, smscmd with the
// domain and the store) against internal/fakeslack and internal/faketelnyx,
// and check what a person in Slack and a phone would see.
package bot

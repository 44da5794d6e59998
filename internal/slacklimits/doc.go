// Package slacklimits holds what Slack refuses in a payload, so that what
// the fake Slack accepts is what Slack would accept too: Block Kit (how
// many blocks, each block type's fields and lengths, unique block_id and
// action_id, buttons, selects), null fields, a message's text length
// (MaxText) and message metadata. The fake Slack (internal/fakeslack)
// checks every message, view and response_url post with it, and tests
// check what an app answers with directly (a slash command's
// acknowledgement) with MessageProblems: one implementation for the
// sandbox and the tests.
//
// Problems read as Slack's own ("[ERROR] … [json-pointer:/blocks/2]").
// It imports nothing of smsbridge.
package slacklimits

package slackpost

import (
	"fmt"
	"net/url"
	"strings"
)

// SlackHosts says which hosts are Slack's own. A response_url and a file's
// url_private_download arrive inside requests, and a file download carries
// the bot token, so both are used only on these hosts: hooks.slack.com,
// files.slack.com and slack.com over https, and the host of SLACK_API_URL
// when it is set elsewhere (the fake Slack of tests and the sandbox).
type SlackHosts struct {
	api string // host[:port] of SLACK_API_URL when not slack.com
}

var slackOwnHosts = map[string]bool{"slack.com": true, "hooks.slack.com": true, "files.slack.com": true}

// NewSlackHosts returns Slack's hosts plus apiURL's host ("" or Slack's own
// API URL adds nothing).
func NewSlackHosts(apiURL string) SlackHosts {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || slackOwnHosts[strings.ToLower(u.Hostname())] {
		return SlackHosts{}
	}
	return SlackHosts{api: strings.ToLower(u.Host)}
}

// Check refuses a URL that is not on Slack's hosts, naming only its host
// (the rest of a response_url is a credential).
func (h SlackHosts) Check(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("not a URL")
	}
	host := strings.ToLower(u.Host)
	if h.api != "" && host == h.api && (u.Scheme == "http" || u.Scheme == "https") {
		return nil
	}
	if u.Scheme == "https" && slackOwnHosts[strings.ToLower(u.Hostname())] && (u.Port() == "" || u.Port() == "443") && u.User == nil {
		return nil
	}
	return fmt.Errorf("%s://%s is not one of Slack's hosts", u.Scheme, u.Hostname())
}

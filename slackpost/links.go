package slackpost

import (
	"context"
	"strings"
	"sync"

	"github.com/slack-go/slack"
)

// ThreadLinks builds links to Slack threads
// ("https://acme.slack.com/archives/C123/p1700000000000100") from the
// workspace URL, so a list of fifty threads does not cost fifty
// chat.getPermalink calls.
type ThreadLinks struct {
	client *slack.Client
	mu     sync.Mutex
	base   string
}

// NewThreadLinks makes a link builder. workspaceURL ("https://acme.slack.com/")
// may be "": it is then asked of auth.test once.
func NewThreadLinks(client *slack.Client, workspaceURL string) *ThreadLinks {
	l := &ThreadLinks{client: client}
	if workspaceURL != "" {
		l.base = strings.TrimSuffix(workspaceURL, "/") + "/"
	}
	return l
}

// Link is the link to the message channel/ts (a thread's parent opens the thread).
func (l *ThreadLinks) Link(ctx context.Context, channel, ts string) string {
	return l.workspace(ctx) + "archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

func (l *ThreadLinks) workspace(ctx context.Context) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.base != "" {
		return l.base
	}
	if l.client != nil {
		if resp, err := l.client.AuthTestContext(ctx); err == nil && resp.URL != "" {
			l.base = strings.TrimSuffix(resp.URL, "/") + "/"
			return l.base
		}
	}
	// Slack redirects slack.com/archives/... to the workspace; not cached,
	// so a later auth.test can still give the real one.
	return "https://slack.com/"
}

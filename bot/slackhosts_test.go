package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

func TestSlackURLsAreUsedOnlyOnSlacksHosts(t *testing.T) {
	h := slackpost.NewSlackHosts("http://127.0.0.1:4567/api/")
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://hooks.slack.com/commands/T1/123/abc", true},
		{"https://files.slack.com/files-pri/T1-F1/download/a.png", true},
		{"https://slack.com/api/chat.postMessage", true},
		{"http://127.0.0.1:4567/response/R1", true}, // SLACK_API_URL's host (the fake)
		{"http://hooks.slack.com/commands/T1/123/abc", false},
		{"https://hooks.slack.com.evil.example/commands", false},
		{"https://evil.example/hooks.slack.com", false},
		{"https://hooks.slack.com:8443/commands", false},
		{"https://user@hooks.slack.com/commands", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://127.0.0.1:4568/response/R1", false},
		{"file:///etc/passwd", false},
		{"", false},
	} {
		if err := h.Check(tc.url); (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
	if err := slackpost.NewSlackHosts("").Check("http://127.0.0.1:4567/response/R1"); err == nil {
		t.Error("with no SLACK_API_URL only Slack's own hosts are allowed")
	}
}

func TestResponseURLAndFileLinksElsewhereAreNotFetched(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("ok"))
	}))
	defer evil.Close()
	fake := fakeslack.New(t)
	hosts := slackpost.NewSlackHosts(fake.URL())
	ctx := context.Background()

	r := &slackin.HTTPResponder{Hosts: hosts}
	if err := r.Respond(ctx, evil.URL+"/commands/T1/1/secret", &slack.Msg{Text: "hi"}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("response_url elsewhere: %v (must be refused, without the URL's secret part)", err)
	}
	if err := r.Respond(ctx, fake.ResponseURL(), &slack.Msg{Text: "hi"}); err != nil {
		t.Errorf("the fake Slack's response_url: %v", err)
	}

	files := &slackin.SlackFiles{Client: fake.Client(), Hosts: hosts}
	_, _, err := files.FetchSlackFile(ctx, evil.URL+"/files-pri/T1-F1/download/a.png", 1<<20)
	if err == nil || !errors.Is(err, bridge.ErrPermanent) || !strings.Contains(err.Error(), "not one of Slack's hosts") {
		t.Errorf("a file link elsewhere: %v, want a permanent refusal", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the host elsewhere was reached %d times", n)
	}
}

package bot_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackin"
)

func TestStartupAuthTestRetriesOutagesButNotRefusals(t *testing.T) {
	srv := fakeslack.New(t)
	log := slog.New(slog.DiscardHandler)
	srv.FailNext("auth.test", 2, fakeslack.HTTPError(503))
	m, err := slackin.NewSlackMessages(context.Background(), srv.Client(), nil, log)
	if err != nil {
		t.Fatalf("a passing outage stopped the start: %v", err)
	}
	if m.BotUserID != fakeslack.BotUserID || len(srv.Calls("auth.test")) != 3 {
		t.Fatalf("bot user %q after %d calls", m.BotUserID, len(srv.Calls("auth.test")))
	}

	before := len(srv.Calls("auth.test"))
	wrong := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.URL()))
	if _, err := slackin.NewSlackMessages(context.Background(), wrong, nil, log); err == nil {
		t.Fatal("a wrong token started")
	}
	if n := len(srv.Calls("auth.test")) - before; n != 1 {
		t.Fatalf("a refused token was asked %d times", n)
	}
}

package webhooks

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"
)

type manifest struct {
	Features struct {
		AppHome struct {
			HomeTabEnabled bool `yaml:"home_tab_enabled"`
		} `yaml:"app_home"`
		Shortcuts []struct {
			Type       string `yaml:"type"`
			CallbackID string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
		SlashCommands []struct {
			Command string `yaml:"command"`
			URL     string `yaml:"url"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled    bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
	} `yaml:"settings"`
}

// TestManifestMatchesRouter parses manifest.yml and checks that every URL it
// gives Slack is a POST route the router serves, and that the scopes and
// events the features need are there.
func TestManifestMatchesRouter(t *testing.T) {
	raw, err := os.ReadFile("../manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yml does not parse: %v", err)
	}
	ok := func(c *gin.Context) { c.Status(http.StatusOK) }
	r := NewRouter(Deps{Log: slog.New(slog.DiscardHandler), SlackEvents: ok, SlackCommands: ok, SlackInteraction: ok})
	served := map[string]bool{}
	for _, ri := range r.Routes() {
		served[ri.Method+" "+ri.Path] = true
	}
	check := func(what, raw, wantPath string) {
		u, err := url.Parse(raw)
		if err != nil || u.Path != wantPath {
			t.Errorf("%s URL %q: want path %s", what, raw, wantPath)
		}
		if !served["POST "+u.Path] {
			t.Errorf("%s URL %q is not a POST route of the router", what, raw)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/sms" {
		t.Fatalf("want exactly the /sms command, got %+v", m.Features.SlashCommands)
	}
	check("slash command", m.Features.SlashCommands[0].URL, PathSlackCommands)
	check("event subscription", m.Settings.Events.RequestURL, PathSlackEvents)
	if !m.Settings.Interactivity.Enabled {
		t.Error("interactivity disabled")
	}
	check("interactivity", m.Settings.Interactivity.RequestURL, PathSlackInteraction)
	if !m.Features.AppHome.HomeTabEnabled {
		t.Error("App Home tab disabled")
	}
	scopes := map[string]bool{}
	for _, s := range m.OAuth.Scopes.Bot {
		scopes[s] = true
	}
	for _, s := range []string{"chat:write", "channels:history", "groups:history", "files:write", "files:read", "reactions:write", "commands", "users:read", "im:write"} {
		if !scopes[s] {
			t.Errorf("scope %s missing", s)
		}
	}
	// The message shortcut the Slack side handles (bot.ReplyShortcutID).
	if len(m.Features.Shortcuts) != 1 || m.Features.Shortcuts[0].Type != "message" || m.Features.Shortcuts[0].CallbackID != "sms_send_saved_reply" {
		t.Errorf("want the message shortcut sms_send_saved_reply, got %+v", m.Features.Shortcuts)
	}
	events := map[string]bool{}
	for _, e := range m.Settings.Events.BotEvents {
		events[e] = true
	}
	for _, e := range []string{"message.channels", "message.groups", "app_home_opened"} {
		if !events[e] {
			t.Errorf("bot event %s missing", e)
		}
	}
}

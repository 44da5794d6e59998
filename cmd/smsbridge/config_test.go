package main

import (
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/bridge"
)

func TestConfigReadsSenderRatesAndNamesABadOne(t *testing.T) {
	env := map[string]string{
		"TELNYX_API_KEY": "KEY", "TELNYX_PUBLIC_KEY": "pk", "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C1",
		"SMSBRIDGE_SENDER_RATES": "+18445550001=10/s,MyShop=6/m",
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.SenderRates["+18445550001"]; got != (bridge.Rate{PerSecond: 10, Burst: 10}) {
		t.Fatalf("+18445550001: %+v", got)
	}
	if got := cfg.SenderRates["MyShop"]; got != (bridge.Rate{PerSecond: 0.1, Burst: 1}) {
		t.Fatalf("MyShop: %+v", got)
	}
	env["SMSBRIDGE_SENDER_RATES"] = "+18445550001=fast"
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "SMSBRIDGE_SENDER_RATES") {
		t.Fatalf("a bad rate: %v, want an error naming the setting", err)
	}
}

func TestRepliesEveryoneSettingIsReadAndABadValueNamed(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": false, "true": true, "1": true} {
		c, err := loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_REPLIES_EVERYONE": v}))
		if err != nil || c.RepliesEveryone != want {
			t.Errorf("SMSBRIDGE_REPLIES_EVERYONE=%q: %v, %v; want %v", v, c, err, want)
		}
	}
	if _, err := loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_REPLIES_EVERYONE": "yes please"})); err == nil || !strings.Contains(err.Error(), "SMSBRIDGE_REPLIES_EVERYONE") {
		t.Fatalf("a bad value: %v", err)
	}
}

func TestConfigReadsQuietHoursAndTheAutoReplyIntervalAndNamesABadOne(t *testing.T) {
	env := map[string]string{
		"TELNYX_API_KEY": "KEY", "TELNYX_PUBLIC_KEY": "pk", "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C1",
	}
	load := func() (*config, error) { return loadConfig(func(k string) string { return env[k] }) }
	cfg, err := load()
	if err != nil || cfg.Quiet != bridge.DefaultQuietHours || cfg.AutoReplyEvery.Hours() != 12 {
		t.Fatalf("defaults: quiet %v, every %s, %v; want 21:00–08:00 and 12h", cfg.Quiet, cfg.AutoReplyEvery, err)
	}
	env["SMSBRIDGE_QUIET_HOURS"], env["SMSBRIDGE_AUTOREPLY_EVERY"] = "off", "24h"
	if cfg, err = load(); err != nil || !cfg.Quiet.Off || cfg.AutoReplyEvery.Hours() != 24 {
		t.Fatalf("off and 24h: %+v %s %v", cfg.Quiet, cfg.AutoReplyEvery, err)
	}
	for name, bad := range map[string]string{"SMSBRIDGE_QUIET_HOURS": "nights", "SMSBRIDGE_AUTOREPLY_EVERY": "often"} {
		env["SMSBRIDGE_QUIET_HOURS"], env["SMSBRIDGE_AUTOREPLY_EVERY"] = "", ""
		env[name] = bad
		if _, err := load(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming the setting", name, bad, err)
		}
	}
}

package main

import (
	"strings"
	"testing"
	"time"
)

// requiredEnv is the least a configuration needs, plus extra settings.
func requiredEnv(extra map[string]string) func(string) string {
	env := map[string]string{
		"TELNYX_API_KEY": "KEY", "TELNYX_PUBLIC_KEY": "pub", "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C1",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func TestScaleSettingsDefaultToShortLeasesAndAStableInstance(t *testing.T) {
	c, err := loadConfig(requiredEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Lease != 10*time.Second || c.Workers != 4 {
		t.Fatalf("lease %v, workers %d; want 10s and 4", c.Lease, c.Workers)
	}
	if c.KeepPayloads != 7*24*time.Hour || c.KeepMessages != 0 {
		t.Fatalf("keep payloads %v, messages %v; want 7 days and forever", c.KeepPayloads, c.KeepMessages)
	}
	if !validInstance(c.Instance) || c.Instance != instanceFromHost() {
		t.Fatalf("default instance id %q, want the host's (%q)", c.Instance, instanceFromHost())
	}
	c, err = loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_WORKERS": "16", "SMSBRIDGE_INSTANCE_ID": "pod-2"}))
	if err != nil || c.Workers != 16 || c.Instance != "pod-2" {
		t.Fatalf("workers %d, instance %q, err %v", c.Workers, c.Instance, err)
	}
	c, err = loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_KEEP_PAYLOADS": "36h", "SMSBRIDGE_KEEP_MESSAGES": "365d"}))
	if err != nil || c.KeepPayloads != 36*time.Hour || c.KeepMessages != 365*24*time.Hour {
		t.Fatalf("keep payloads %v, messages %v, err %v", c.KeepPayloads, c.KeepMessages, err)
	}
}

func TestScaleSettingsThatCannotWorkAreRefusedByName(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"SMSBRIDGE_WORKERS", "0"},
		{"SMSBRIDGE_WORKERS", "many"},
		{"SMSBRIDGE_WORKERS", "1000"},
		{"SMSBRIDGE_INSTANCE_ID", "a/b"},
		{"SMSBRIDGE_INSTANCE_ID", strings.Repeat("x", 41)},
		{"SMSBRIDGE_WORKER_LEASE", "500ms"},
		{"SMSBRIDGE_KEEP_PAYLOADS", "a week"},
		{"SMSBRIDGE_KEEP_PAYLOADS", "10m"},
		{"SMSBRIDGE_KEEP_PAYLOADS", "12h"},
		{"SMSBRIDGE_KEEP_MESSAGES", "12h"},
		{"SMSBRIDGE_KEEP_MESSAGES", "-3d"},
	} {
		_, err := loadConfig(requiredEnv(map[string]string{tc.name: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%q: err %v, want one naming the setting", tc.name, tc.value, err)
		}
	}
}

func TestPprofServesOnlyOnALoopbackAddress(t *testing.T) {
	c, err := loadConfig(requiredEnv(nil))
	if err != nil || c.PprofAddr != "" {
		t.Fatalf("default pprof address %q, err %v; want off", c.PprofAddr, err)
	}
	for _, ok := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060"} {
		if c, err := loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_PPROF_ADDR": ok})); err != nil || c.PprofAddr != ok {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{":6060", "0.0.0.0:6060", "10.0.0.5:6060", "6060"} {
		_, err := loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_PPROF_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "SMSBRIDGE_PPROF_ADDR") {
			t.Errorf("%s: err %v, want one naming the setting", bad, err)
		}
	}
}

func TestWaitingSettingsDefaultToSignalOnAndNoNudge(t *testing.T) {
	c, err := loadConfig(requiredEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Waiting.SignalOff || c.Waiting.NudgeAfter != 0 || c.Waiting.OnCallGroup != "" {
		t.Fatalf("waiting defaults %+v, want the signal on and no nudge", c.Waiting)
	}
	c, err = loadConfig(requiredEnv(map[string]string{"SMSBRIDGE_WAITING_SIGNAL": "off", "SMSBRIDGE_NUDGE_AFTER": "15m", "SMSBRIDGE_ONCALL_GROUP": "S0123ONCALL"}))
	if err != nil || !c.Waiting.SignalOff || c.Waiting.NudgeAfter != 15*time.Minute || c.Waiting.OnCallGroup != "S0123ONCALL" {
		t.Fatalf("waiting %+v err %v", c.Waiting, err)
	}
	for _, tc := range []struct{ name, value string }{
		{"SMSBRIDGE_WAITING_SIGNAL", "maybe"},
		{"SMSBRIDGE_NUDGE_AFTER", "soon"},
		{"SMSBRIDGE_NUDGE_AFTER", "10s"},
		{"SMSBRIDGE_ONCALL_GROUP", "@support"},
	} {
		_, err := loadConfig(requiredEnv(map[string]string{tc.name: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s=%q: err %v, want one naming the setting", tc.name, tc.value, err)
		}
	}
}

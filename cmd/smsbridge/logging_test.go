package main

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogsMaskPhoneNumbersAboveDebug(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, "info")
	log.Info("text from +13125550123", "from", "+13125550123", "err", errors.New("send to +14155550188 failed"),
		slog.Group("conv", "remotes", "+16465550142,+13125550123"))
	log.With("our", "+18445550001").Warn("x")
	out := buf.String()
	for _, n := range []string{"+13125550123", "+14155550188", "+16465550142", "+18445550001"} {
		if strings.Contains(out, n) {
			t.Fatalf("%s in the log:\n%s", n, out)
		}
	}
	if !strings.Contains(out, "+1312*****23") || !strings.Contains(out, "+1844*****01") {
		t.Fatalf("masked numbers missing:\n%s", out)
	}
}

func TestDebugLogsKeepNumbers(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf, "debug").Debug("text", "from", "+13125550123")
	if !strings.Contains(buf.String(), "+13125550123") {
		t.Fatalf("debug log masked the number: %s", buf.String())
	}
}

func TestLogsNeverCarryTheSecrets(t *testing.T) {
	var buf bytes.Buffer
	env := map[string]string{
		"TELNYX_API_KEY": "KEYsecret123", "TELNYX_PUBLIC_KEY": "not-base64!", "SLACK_BOT_TOKEN": "xoxb-secret-456",
		"SLACK_SIGNING_SECRET": "signsecret789", "SLACK_CHANNEL": "C1", "LISTEN_ADDR": "127.0.0.1:0",
		"DATABASE_URL": filepath.Join(t.TempDir(), "x.db"),
	}
	// A bad public key fails the start after the settings are read: what
	// is printed must name the problem without quoting any secret.
	code := run(nil, func(k string) string { return env[k] }, &buf, &buf)
	if code == 0 {
		t.Fatal("started with a bad public key")
	}
	for _, secret := range []string{"KEYsecret123", "xoxb-secret-456", "signsecret789"} {
		if strings.Contains(buf.String(), secret) {
			t.Fatalf("secret %q printed:\n%s", secret, buf.String())
		}
	}
	if !strings.Contains(buf.String(), "TELNYX_PUBLIC_KEY") {
		t.Fatalf("the error does not name the bad setting:\n%s", buf.String())
	}
}

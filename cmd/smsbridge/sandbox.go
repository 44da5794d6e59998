package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/internal/netguard"
	"github.com/smsbridge/smsbridge/sandbox"
)

// `smsbridge sandbox`: the real service, built by build() like the real
// one, from settings that point at a simulated workspace and carrier on
// loopback (package sandbox), with a page to watch and drive both.

// sandboxDefaultAddr is where the page is served unless
// SMSBRIDGE_SANDBOX_ADDR says otherwise (a free port if it is taken).
const sandboxDefaultAddr = "127.0.0.1:8025"

// sandboxMode decides from the environment what is simulated: everything,
// or (half-real) only the carrier when a real Slack app is configured.
// Telnyx settings are refused: the sandbox never uses the real Telnyx.
func sandboxMode(getenv func(string) string) (realSlack bool, err error) {
	var telnyxSet []string
	for _, k := range []string{"TELNYX_API_KEY", "TELNYX_PUBLIC_KEY", "TELNYX_API_URL", "TELNYX_MESSAGING_PROFILE_ID"} {
		if strings.TrimSpace(getenv(k)) != "" {
			telnyxSet = append(telnyxSet, k)
		}
	}
	if len(telnyxSet) > 0 {
		return false, fmt.Errorf("the sandbox never uses a real Telnyx account, but %s %s set: unset %s, or run smsbridge without \"sandbox\" to use it",
			strings.Join(telnyxSet, ", "), map[bool]string{true: "is", false: "are"}[len(telnyxSet) == 1], map[bool]string{true: "it", false: "them"}[len(telnyxSet) == 1])
	}
	set := func(k string) bool { return strings.TrimSpace(getenv(k)) != "" }
	if !set("SLACK_BOT_TOKEN") {
		for _, k := range []string{"SLACK_CHANNEL", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_ROUTES"} {
			if set(k) {
				return false, fmt.Errorf("%s is set but SLACK_BOT_TOKEN is not: set SLACK_BOT_TOKEN (with SLACK_CHANNEL and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) to try the sandbox in your real Slack, or unset %s for the simulated workspace", k, k)
			}
		}
		return false, nil
	}
	var missing []string
	if !set("SLACK_CHANNEL") {
		missing = append(missing, "SLACK_CHANNEL")
	}
	if !set("SLACK_SIGNING_SECRET") && !set("SLACK_APP_TOKEN") {
		missing = append(missing, "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
	}
	if len(missing) > 0 {
		return false, fmt.Errorf("SLACK_BOT_TOKEN is set, so the sandbox would use your real Slack with simulated phones, but it also needs %s", strings.Join(missing, " and "))
	}
	return true, nil
}

// sandboxEnv is the service's environment in the sandbox: the sandbox's
// settings over the environment's, a temporary SQLite file unless
// DATABASE_URL is set, and a loopback listener. Slack and the carrier
// reach the service through front, a proxy that marks its answers to
// Slack (sandbox.MarkAnswers): on loopback too, unless half-real, where
// the real Slack must reach it (LISTEN_ADDR, by default :8080).
func sandboxEnv(getenv func(string) string, sb *sandbox.Sandbox, realSlack bool, dbDir string) (env func(string) string, front string, err error) {
	set := sb.Settings()
	if getenv("DATABASE_URL") == "" {
		set["DATABASE_URL"] = filepath.Join(dbDir, "smsbridge-sandbox.db")
	}
	front = getenv("LISTEN_ADDR")
	if !realSlack || front == "" {
		front = "127.0.0.1:0"
		if realSlack {
			front = ":8080" // the real Slack must reach it (or Socket Mode)
		}
	}
	if set["LISTEN_ADDR"], err = freeLoopbackAddr(); err != nil {
		return nil, "", err
	}
	return func(k string) string {
		if v, ok := set[k]; ok {
			return v
		}
		return getenv(k)
	}, front, nil
}

// freeLoopbackAddr picks a free loopback port for the service.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// sandboxGuard confines the process's HTTP to loopback (and, half-real,
// Slack's hosts), so nothing can reach the real Telnyx; it returns what
// undoes it.
func sandboxGuard(realSlack bool, getenv func(string) string, seen func(string, bool)) func() {
	var allow []string
	if realSlack {
		allow = []string{"slack.com", "files.slack.com", "hooks.slack.com", "wss-primary.slack.com", "wss-backup.slack.com"}
		if u, err := url.Parse(getenv("SLACK_API_URL")); err == nil && u.Hostname() != "" {
			allow = append(allow, u.Hostname())
		}
	}
	lift := netguard.Restrict(allow, seen)
	old := http.DefaultTransport
	http.DefaultTransport = sandbox.MarkPosts(netguard.Transport())
	return func() { http.DefaultTransport = old; lift() }
}

// sandboxHooks let a test watch the sandbox: ready is called once the page
// is served, seen with every address the process dials.
type sandboxHooks struct {
	ready func(sb *sandbox.Sandbox, pageURL string)
	seen  func(addr string, ok bool)
}

// sandboxRun is `smsbridge sandbox`.
func sandboxRun(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer, hooks sandboxHooks) int {
	realSlack, err := sandboxMode(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge sandbox:", err)
		return 2
	}
	defer sandboxGuard(realSlack, getenv, hooks.seen)()
	level := getenv("SMSBRIDGE_LOG_LEVEL")
	if level == "" {
		level = "warn" // the page is what a newcomer watches
	}
	log := newLogger(stderr, level)
	sb, err := sandbox.New(sandbox.Options{RealSlack: realSlack, Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge sandbox:", err)
		return 1
	}
	defer sb.Close()
	dbDir, err := os.MkdirTemp("", "smsbridge-sandbox-")
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge sandbox:", err)
		return 1
	}
	defer os.RemoveAll(dbDir)
	env, front, err := sandboxEnv(getenv, sb, realSlack, dbDir)
	if err == nil {
		err = sandboxServe(ctx, env, front, log, sb, stdout, hooks.ready)
	}
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge sandbox:", err)
		return 1
	}
	return 0
}

// sandboxServe runs the service (serve, as `smsbridge` does) behind its
// marking proxy at front, and the page, until ctx ends.
func sandboxServe(ctx context.Context, env func(string) string, front string, log *slog.Logger, sb *sandbox.Sandbox, stdout io.Writer, ready func(*sandbox.Sandbox, string)) error {
	frontLn, err := net.Listen("tcp", front)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR: %w", err)
	}
	defer frontLn.Close()
	frontURL := "http://" + frontLn.Addr().String()
	if strings.HasPrefix(front, ":") {
		frontURL = "http://127.0.0.1" + front
	}
	cfg, err := loadConfig(func(k string) string {
		if k == "PUBLIC_BASE_URL" && env(k) == "" {
			return frontURL
		}
		return env(k)
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	listening, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serve(ctx, cfg, log, listening) }()
	select {
	case addr := <-listening:
		proxy := &http.Server{Handler: sandbox.MarkAnswers(&url.URL{Scheme: "http", Host: addr}, log), ReadHeaderTimeout: httpReadHeaderTimeout}
		go func() { _ = proxy.Serve(frontLn) }()
		defer proxy.Close()
		sb.Attach(frontURL)
	case err := <-done:
		return err
	}
	addr := env("SMSBRIDGE_SANDBOX_ADDR")
	if addr == "" {
		addr = sandboxDefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && env("SMSBRIDGE_SANDBOX_ADDR") == "" {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		cancel()
		<-done
		return err
	}
	page := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: httpReadHeaderTimeout}
	go func() { _ = page.Serve(ln) }()
	pageURL := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "smsbridge sandbox: open %s\n(simulated %s; nothing reaches the real Telnyx; Ctrl-C stops it and forgets everything)\n",
		pageURL, map[bool]string{true: "phones and carrier, your real Slack (send its requests to " + frontURL + ")", false: "Slack workspace, phones and carrier"}[sb.Slack == nil])
	if ready != nil {
		ready(sb, pageURL)
	}
	err = <-done
	shutCtx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	_ = page.Shutdown(shutCtx)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

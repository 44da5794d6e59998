package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium binary: SMSBRIDGE_CHROMIUM, or Debian's.
func chromium() string {
	if p := os.Getenv("SMSBRIDGE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestSandboxInABrowser drives the sandbox's page in headless Chromium as
// a newcomer would: a phone texts in, the thread appears in the Slack pane,
// a reply in the thread reaches the phone and shows delivered there, Claim
// changes the header, and STOP from the phone shows its note in the
// thread. It leaves a screenshot in its temporary directory.
func TestSandboxInABrowser(t *testing.T) {
	rs := startSandbox(t, nil)
	ctx := newBrowser(t) // closed first, so the page's event stream ends before the sandbox
	const (
		header   = `//div[@id="messages"]//div[contains(@class,"msg")][.//div[contains(@class,"header") and contains(., "+1 312-555-0100")]]`
		thread   = `//div[@id="thread"]`
		claimBtn = header + `//button[@data-action-id="conv_claim"]`
	)
	step := stepper(t, ctx)
	step("open the page", chromedp.Navigate(rs.page), chromedp.WaitVisible(chromedp.CSS("#phone-text")),
		chromedp.WaitVisible(`//div[@id="banner" and contains(., "SANDBOX")]`))
	step("text in from the phone", chromedp.SendKeys(chromedp.CSS("#phone-text"), "Has my order shipped?"),
		chromedp.Click(chromedp.CSS("#phone-send")))
	step("see the thread appear", chromedp.WaitVisible(header),
		chromedp.WaitVisible(header+`//*[contains(., "Open")]`))
	step("open the thread", chromedp.Click(header+`//div[contains(@class,"replies-link")]`),
		chromedp.WaitVisible(thread+`//div[contains(@class,"msg") and contains(., "Has my order shipped?")]`))
	step("reply in the thread", chromedp.SendKeys(chromedp.CSS("#thread-input"), "Yes, it left this morning."),
		chromedp.Click(chromedp.CSS("#thread-form button")))
	step("see the reply delivered on the phone",
		chromedp.WaitVisible(`//div[contains(@class,"bubble out") and contains(., "Yes, it left this morning.")]//span[contains(@class,"status-delivered")]`))
	// The reply's delivered reaction is the last change of this exchange;
	// after it the channel is redrawn no more, so the press lands.
	step("see the delivered reaction on the reply in Slack",
		chromedp.WaitVisible(thread+`//div[contains(@class,"msg") and contains(., "Yes, it left this morning.")]//span[@title=":white_check_mark:"]`))
	step("press Claim", chromedp.Click(claimBtn))
	step("see the header claimed", chromedp.WaitVisible(header+`//*[contains(., "Claimed by") and contains(., "@you")]`),
		chromedp.WaitNotPresent(claimBtn))
	step("send STOP", chromedp.Click(chromedp.CSS("#phone-stop")))
	step("see the opt-out note", chromedp.WaitVisible(thread+`//div[contains(@class,"msg") and contains(., "they have opted out")]`),
		chromedp.WaitVisible(header+`//*[contains(., "Opted out")]`),
		chromedp.WaitVisible(`//div[@id="phone-status" and contains(., "You sent STOP")]`))
	shot(t, ctx, "sandbox.png")
}

// newBrowser starts headless Chromium for the test (skipped without
// one, outside CI) and returns its context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium()
	if exe == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium was found: .ci/run installs Debian's chromium (apt-get install chromium); or set SMSBRIDGE_CHROMIUM to its path")
		}
		t.Skip("no Chromium found: install Debian's chromium (apt-get install chromium) or set SMSBRIDGE_CHROMIUM; .ci/run installs it")
	}
	// Headless (in chromedp's defaults, with --no-first-run,
	// --disable-background-networking and --disable-sync), no sandbox (CI
	// runs as root), a fresh profile, and nothing that reaches for
	// Google's servers: a closed network refuses the connections the
	// browser would otherwise open in the background.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.WindowSize(1400, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// Start the browser on ctx itself: a step's shorter context must not
	// own it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	return ctx
}

// stepper runs one named step of a browser test within 20 s, with a
// screenshot and the page's last message when it fails.
func stepper(t *testing.T, ctx context.Context) func(what string, actions ...chromedp.Action[chromedp.Void]) {
	return func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			shot(t, ctx, "failed.png")
			t.Fatalf("%s: %v (the page's last message: %q)", what, err, lastToast(ctx))
		}
	}
}

// evaluate runs a script in the page within 20 s and returns its result.
func evaluate[T any](t *testing.T, ctx context.Context, what, script string) T {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(stepCtx, chromedp.Evaluate[T](script))
	if err != nil {
		shot(t, ctx, "failed.png")
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestSandboxHalfRealPageShowsOnlyThePhones opens the half-real sandbox's
// page: no Slack pane (the team watches its own Slack), a banner that says
// the posts go to the real Slack, and phones that still text in.
func TestSandboxHalfRealPageShowsOnlyThePhones(t *testing.T) {
	real := newRealSlack(t)
	rs := startSandbox(t, real.env())
	ctx := newBrowser(t)
	step := stepper(t, ctx)
	step("open the page", chromedp.Navigate(rs.page), chromedp.WaitVisible(chromedp.CSS("#phone-text")),
		chromedp.WaitVisible(`//div[@id="banner" and contains(., "SANDBOX") and contains(., "your real Slack")]`),
		chromedp.WaitNotVisible(chromedp.CSS("#slack")))
	step("text in from the phone", chromedp.SendKeys(chromedp.CSS("#phone-text"), "Any news?"),
		chromedp.Click(chromedp.CSS("#phone-send")),
		chromedp.WaitVisible(`//div[contains(@class,"bubble in") and contains(., "Any news?")]`))
	rs.await(t, "the text in the real Slack", func() bool { return len(real.Messages(realChannel)) == 1 })
	if evaluate[bool](t, ctx, "look for the Slack pane", `document.querySelector("#slack").offsetParent !== null`) {
		t.Error("the half-real page shows a Slack pane")
	}
	shot(t, ctx, "sandbox-half-real.png")
}

// lastToast is the last error the page showed (in words), if any.
func lastToast(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#toast")))
	return text
}

// shot saves a screenshot of the page into the test's temporary directory
// (kept as a CI artefact there; not committed) and logs where.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("SMSBRIDGE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", p)
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/netguard"
	"github.com/smsbridge/smsbridge/sandbox"
)

// runningSandbox is `smsbridge sandbox` running in the test, with every
// address the process dialled meanwhile.
type runningSandbox struct {
	sb      *sandbox.Sandbox
	page    string
	mu      sync.Mutex
	dials   map[string]bool // address → let through
	stdout  *syncWriter
	stopped chan int
}

func startSandbox(t *testing.T, env map[string]string) *runningSandbox {
	t.Helper()
	rs := &runningSandbox{dials: map[string]bool{}, stopped: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	hooks := sandboxHooks{
		ready: func(sb *sandbox.Sandbox, page string) { rs.sb, rs.page = sb, page; close(ready) },
		seen: func(addr string, ok bool) {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			rs.dials[addr] = ok
		},
	}
	if env == nil {
		env = map[string]string{}
	}
	env["SMSBRIDGE_SANDBOX_ADDR"] = "127.0.0.1:0"
	if _, set := env["SMSBRIDGE_QUIET_HOURS"]; !set {
		// Not about quiet hours: a reply while Chicago sleeps would be held.
		env["SMSBRIDGE_QUIET_HOURS"] = "off"
	}
	out := &syncWriter{}
	go func() {
		rs.stopped <- sandboxRun(ctx, func(k string) string { return env[k] }, out, io.Discard, hooks)
	}()
	select {
	case <-ready:
	case code := <-rs.stopped:
		cancel()
		t.Fatalf("sandbox stopped with %d before serving the page", code)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("sandbox did not serve its page within 30s")
	}
	t.Cleanup(func() {
		cancel()
		if code := <-rs.stopped; code != 0 {
			t.Errorf("sandbox exited with %d", code)
		}
	})
	rs.stdout = out
	if !strings.Contains(out.String(), "open "+rs.page) {
		t.Errorf("the sandbox did not print the URL to open: %q", out.String())
	}
	return rs
}

type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// post is what the page does: POST /api/… with JSON.
func (rs *runningSandbox) post(t *testing.T, path string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(rs.page+strings.TrimPrefix(path, "/"), "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if !out.OK {
		t.Fatalf("%s: %s", path, out.Error)
	}
}

// await waits for cond, woken by the simulated servers' changes.
func (rs *runningSandbox) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		var slackChanged <-chan struct{} // none in half-real mode
		if rs.sb.Slack != nil {
			slackChanged = rs.sb.Slack.Changed()
		}
		select {
		case <-slackChanged:
		case <-rs.sb.Carrier.Changed():
		case <-time.After(50 * time.Millisecond): // the service's own steps between the fakes' changes
		case <-deadline:
			t.Fatalf("not within 20s: %s", what)
		}
	}
}

// threadTexts is every text in the inbox channel's threads.
func (rs *runningSandbox) threadTexts() string {
	var all []string
	for _, m := range rs.sb.Slack.Messages(sandbox.Channel) {
		all = append(all, m.Text)
		for _, r := range rs.sb.Slack.ThreadReplies(sandbox.Channel, m.TS) {
			all = append(all, r.Text)
		}
	}
	return strings.Join(all, "\n")
}

// TestSandboxNeverDialsBeyondLoopback runs the sandbox through a whole
// conversation (a text, an MMS, a reply and its delivery reports) and
// checks every address the process connected to: all loopback, among them
// the simulated Slack and carrier (so the service's clients dial through
// the guard). A link to a public address in an MMS, and a plain request
// from the process, are refused before any packet leaves.
func TestSandboxNeverDialsBeyondLoopback(t *testing.T) {
	rs := startSandbox(t, nil)
	phone := "+13125550100"
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": "+18445550001", "text": "hello"})
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	rs.post(t, "/api/phone/send", map[string]any{"from": phone, "to": "+18445550001", "text": "a picture",
		"pictures": []any{map[string]any{"name": "dot.png", "content_type": "image/png", "data": png}}})
	rs.await(t, "the picture uploaded into the thread", func() bool { return len(rs.sb.Slack.Uploads()) == 1 })
	heads := rs.sb.Slack.Messages(sandbox.Channel)
	rs.post(t, "/api/slack/say", map[string]any{"thread_ts": heads[0].TS, "text": "got it"})
	rs.await(t, "the reply delivered", func() bool {
		sent := rs.sb.Carrier.Sent()
		return len(sent) == 1 && sent[0]["to"].([]any)[0].(map[string]any)["status"] == "delivered"
	})
	// A carrier link to a public address: the service's media fetch is refused.
	if _, err := rs.sb.Carrier.Receive(context.Background(), faketelnyx.Inbound{From: phone, To: "+18445550001",
		Text: "see this", Links: []string{"http://203.0.113.9/cat.jpg"}}); err != nil {
		t.Fatal(err)
	}
	rs.await(t, "the refused link noted in the thread", func() bool { return strings.Contains(rs.threadTexts(), "203.0.113.9") })
	_, err := http.Get("http://203.0.113.10/")
	if !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("a request to a public address from the sandbox process: %v, want refused", err)
	}

	rs.mu.Lock()
	defer rs.mu.Unlock()
	hosts := map[string]bool{}
	for addr, ok := range rs.dials {
		host, port, _ := net.SplitHostPort(addr)
		ip := net.ParseIP(host)
		if ok != (ip != nil && ip.IsLoopback()) {
			t.Errorf("dial to %s let through = %v", addr, ok)
		}
		if ok {
			hosts[port] = true
		}
	}
	if rs.dials["203.0.113.9:80"] || rs.dials["203.0.113.10:80"] {
		t.Errorf("a public address was let through: %v", rs.dials)
	}
	if _, seen := rs.dials["203.0.113.9:80"]; !seen {
		t.Errorf("the media fetch to 203.0.113.9 was not checked by the guard: %v", rs.dials)
	}
	for _, h := range rs.sb.Hosts() {
		_, port, _ := net.SplitHostPort(h)
		if !hosts[port] {
			t.Errorf("no dial to the simulated server %s was seen, so its client is not guarded: %v", h, rs.dials)
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// TestMain lets the test binary play the service in a child process, so the
// crash test can SIGKILL a real smsbridge.
func TestMain(m *testing.M) {
	if os.Getenv("SMSBRIDGE_TEST_CHILD") == "1" {
		os.Exit(run(nil, os.Getenv, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type child struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t *testing.T, env []string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "SMSBRIDGE_TEST_CHILD=1")...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addrc := make(chan string, 1)
	go func() {
		// Keep reading to the end, whatever the lines: a child whose stderr
		// pipe fills up would block and look hung.
		defer io.Copy(io.Discard, stderr)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "smsbridge listening" {
				addrc <- line.Addr
			}
			if bytes.Contains(sc.Bytes(), []byte(`"level":"ERROR"`)) {
				t.Logf("child: %s", sc.Text())
			}
		}
	}()
	select {
	case addr := <-addrc:
		return &child{cmd: cmd, addr: addr}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not start")
	}
	return nil
}

// TestCrashLosesNothingAcknowledged kills smsbridge with SIGKILL while a
// burst of signed webhooks is being acknowledged and posted, restarts it on
// the same database, and checks that every acknowledged webhook reaches
// Slack, in order per conversation, with no double posts beyond the Slack
// calls that were in flight at the kill (at most one per worker). It runs
// with leases of a minute and measures recovery: every conversation that had
// texts waiting at the kill moves again within 15 s of it, because the
// restart recognises its own instance and takes its leases back.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs a child process")
	}
	// 2,000 texts into one channel at 1000/s, on both sides: a test of
	// what a kill loses, not of the pace.
	slackSrv := fakeslack.New(t, fakeslack.WithPostRate(1000))
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	env := []string{
		"LISTEN_ADDR=127.0.0.1:0",
		"DATABASE_URL=" + filepath.Join(t.TempDir(), "crash.db"),
		"TELNYX_API_KEY=KEYcrash",
		"TELNYX_PUBLIC_KEY=" + base64.StdEncoding.EncodeToString(pub),
		"TELNYX_API_URL=http://127.0.0.1:1/v2",
		"SLACK_BOT_TOKEN=" + slackSrv.Token(),
		"SLACK_SIGNING_SECRET=x",
		"SLACK_API_URL=" + slackSrv.URL(),
		"SLACK_CHANNEL=CINBOX",
		"SMSBRIDGE_SLACK_RATE=1000",
		"SMSBRIDGE_INSTANCE_ID=crash-test",
		// Leases longer than the 15 s allowed: only taking its own leases
		// back at start can make the restart recover in time.
		"SMSBRIDGE_WORKER_LEASE=1m",
	}
	c := startChild(t, env)

	const convs, perConv, killAfter = 5, 60, 120
	var acked [convs][]string
	var total atomic.Int64
	var killOnce sync.Once
	var killed atomic.Bool
	var killedAt time.Time
	kill := func() {
		killOnce.Do(func() {
			killedAt = time.Now()
			killed.Store(true)
			c.cmd.Process.Signal(syscall.SIGKILL)
		})
	}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for ci := 0; ci < convs; ci++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := fmt.Sprintf("+1312555%04d", ci)
			for i := 0; i < perConv; i++ {
				text := fmt.Sprintf("c%d-m%03d", ci, i)
				body := sms("ev-"+text, "msg-"+text, from, "+18445550001", text)
				// Like Telnyx, try again on failure, until the kill.
				var resp *http.Response
				for attempt := 0; ; attempt++ {
					sig, ts := telnyxhook.Sign(priv, time.Now(), body)
					req, _ := http.NewRequest(http.MethodPost, "http://"+c.addr+"/webhooks/telnyx", bytes.NewReader(body))
					req.Header.Set(telnyxhook.HeaderSignature, sig)
					req.Header.Set(telnyxhook.HeaderTimestamp, ts)
					var err error
					resp, err = client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							break
						}
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
					if killed.Load() {
						return // the service is gone
					}
					if attempt == 20 {
						t.Errorf("webhook %s failed before the kill: %v", text, err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
				acked[ci] = append(acked[ci], text)
				if total.Add(1) == killAfter {
					kill()
				}
			}
		}()
	}
	wg.Wait()
	kill()
	c.cmd.Wait()
	if total.Load() < killAfter {
		t.Fatalf("only %d webhooks acknowledged before the kill", total.Load())
	}
	posted := len(slackSrv.Calls("chat.postMessage"))
	t.Logf("acknowledged %d webhooks; %d Slack posts before the kill", total.Load(), posted)

	// The texts acknowledged but not yet in Slack at the kill, by
	// conversation: each such conversation must move again soon.
	postedAt := func() map[string]bool {
		posted := map[string]bool{}
		for _, texts := range crashReplies(slackSrv) {
			for _, x := range texts {
				posted[x] = true
			}
		}
		return posted
	}
	atKill := postedAt()
	waiting := map[int][]string{}
	for ci, a := range acked {
		for _, x := range a {
			if !atKill[x] {
				waiting[ci] = append(waiting[ci], x)
			}
		}
	}
	if len(waiting) == 0 {
		t.Fatal("nothing was waiting at the kill; the test measures no recovery")
	}
	startChild(t, env)
	moved := func() bool {
		now := postedAt()
		for _, texts := range waiting {
			if !slices.ContainsFunc(texts, func(x string) bool { return now[x] }) {
				return false
			}
		}
		return true
	}
	if !slackSrv.Await(moved, 15*time.Second-time.Since(killedAt)) {
		t.Fatalf("some of the %d conversations with texts waiting at the kill did not move within 15 s of it", len(waiting))
	}
	t.Logf("all %d conversations with texts waiting at the kill moved %v after it", len(waiting), time.Since(killedAt).Round(time.Millisecond))
	allPosted := func() bool {
		posted := map[string]bool{}
		for _, texts := range crashReplies(slackSrv) {
			for _, x := range texts {
				posted[x] = true
			}
		}
		for _, a := range acked {
			for _, x := range a {
				if !posted[x] {
					return false
				}
			}
		}
		return true
	}
	if !slackSrv.Await(allPosted, 60*time.Second) {
		t.Error("not every acknowledged webhook reached Slack within 60s")
	}
	dups := 0
	byConv := crashReplies(slackSrv)
	for ci := 0; ci < convs; ci++ {
		from := fmt.Sprintf("+1 312-555-%04d", ci)
		got := byConv[from]
		seen, n := collapseRepeats(got)
		dups += n
		if len(seen) < len(acked[ci]) {
			t.Fatalf("conversation %d: %d acknowledged, %d in Slack", ci, len(acked[ci]), len(seen))
		}
		for i, text := range acked[ci] {
			if seen[i] != text {
				t.Fatalf("conversation %d: position %d is %q, want %q (order or loss)", ci, i, seen[i], text)
			}
		}
	}
	if dups > 4 {
		t.Fatalf("%d double posts; at most one per worker may be in flight at a kill", dups)
	}
	t.Logf("%d double posts after the kill", dups)
}

// collapseRepeats is a conversation's texts as Slack shows them with the
// posts repeated across a kill taken out, and how many there were. A post
// in flight at the kill is made again by whoever takes the lane over,
// right where it was. Texts that waited share a post (coalescing), so the
// repeat is the whole block of texts that post held, right after it,
// perhaps with later texts joined to it: one double post.
func collapseRepeats(got []string) (seen []string, dups int) {
	for i := 0; i < len(got); i++ {
		if j := slices.Index(seen, got[i]); j >= 0 {
			block := seen[j:]
			if i+len(block) <= len(got) && slices.Equal(got[i:i+len(block)], block) {
				dups++
				i += len(block) - 1
				continue
			}
		}
		seen = append(seen, got[i])
	}
	return seen, dups
}

// crashReplies maps each conversation (the header's formatted remote
// number) to the texts in its threads, in thread order. Each conversation
// must have its texts in exactly one thread.
func crashReplies(srv *fakeslack.Server) map[string][]string {
	out := map[string][]string{}
	for _, h := range srv.Messages("CINBOX") {
		if h.ThreadTS != "" && h.ThreadTS != h.TS {
			continue
		}
		texts := carriedTexts(h) // a conversation's first texts ride in its header
		for _, r := range srv.ThreadReplies("CINBOX", h.TS) {
			if r.TS == h.TS {
				continue
			}
			if carried := carriedTexts(r); len(carried) > 0 {
				texts = append(texts, carried...) // texts that waited share a post
			} else {
				texts = append(texts, r.Text)
			}
		}
		if len(texts) == 0 {
			continue // a header posted twice across the kill, left empty
		}
		key := h.Text
		if i := strings.Index(key, "+1 312"); i >= 0 {
			key = key[i : i+len("+1 312-555-0000")]
		}
		out[key] = append(out[key], texts...)
	}
	return out
}

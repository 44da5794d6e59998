package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// The burst benchmark (issue 12): a campaign's replies, n texts over convs
// conversations, reach one channel of a Slack that takes one post a second
// with no burst (the fake Slack at its defaults, which answers an over-rate
// call 429 with Retry-After). It runs the real service, replicas of it on
// one database, against the fake, sends the texts as Telnyx would (each
// conversation's in order, a conversation's next only once its last was
// acknowledged), watches the fake until every text is visible, and checks
// that none is lost, doubled or out of order.

// burstChannel is the inbox channel of the run.
const burstChannel = "CBURST"

// burstOpts is what a burst run is told.
type burstOpts struct {
	service  string // the smsbridge binary
	database string // DATABASE_URL of every replica
	replicas int
	n, convs int
	c        int // concurrent senders
	logs     string
	timeout  time.Duration
}

// replica is one running smsbridge.
type replica struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
}

func runBurst(o burstOpts, priv ed25519.PrivateKey) int {
	fake := fakeslack.Start("Burst")
	defer fake.Close()
	ch := slack.Channel{}
	ch.ID, ch.Name, ch.IsChannel, ch.IsMember = burstChannel, "sms-burst", true, true
	fake.AddChannel(ch)

	reps, err := startReplicas(o, fake, priv)
	defer stopReplicas(reps)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 1
	}
	fmt.Printf("burst: %d texts over %d conversations into one channel at %g post/s (no burst), %d replica(s), %d senders\n",
		o.n, o.convs, fakeslack.DefaultPostRate, o.replicas, o.c)
	urls := make([]string, len(reps))
	for i, r := range reps {
		urls[i] = r.base + "/webhooks/telnyx"
	}
	run := fmt.Sprint(time.Now().UnixNano())
	start := time.Now()
	if err := sendOrdered(urls, priv, o.n, o.c, o.convs, run); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 1
	}
	fmt.Printf("sent and acknowledged in %s\n", time.Since(start).Round(time.Millisecond))
	w := newWatch(o.n, o.convs)
	done := w.until(fake, start, o.timeout)
	return w.report(fake, start, done)
}

// startReplicas starts o.replicas smsbridge processes against fake and
// waits until each is ready.
func startReplicas(o burstOpts, fake *fakeslack.Server, priv ed25519.PrivateKey) ([]*replica, error) {
	pub := base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	var reps []*replica
	for i := 1; i <= o.replicas; i++ {
		port, err := freePort()
		if err != nil {
			return reps, err
		}
		logf, err := os.Create(filepath.Join(o.logs, fmt.Sprintf("smsbridge-%d.log", i)))
		if err != nil {
			return reps, err
		}
		cmd := exec.Command(o.service)
		cmd.Env = append(os.Environ(),
			"LISTEN_ADDR=127.0.0.1:"+port, "DATABASE_URL="+o.database, fmt.Sprintf("SMSBRIDGE_INSTANCE_ID=burst-%d", i),
			"TELNYX_API_KEY=unused", "TELNYX_PUBLIC_KEY="+pub,
			"SLACK_BOT_TOKEN="+fake.Token(), "SLACK_SIGNING_SECRET=burst", "SLACK_API_URL="+fake.URL(),
			"SLACK_CHANNEL="+burstChannel, "SMSBRIDGE_SLACK_RATE=1", "SMSBRIDGE_LOG_LEVEL=warn")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			return reps, fmt.Errorf("start %s: %w", o.service, err)
		}
		r := &replica{cmd: cmd, base: "http://127.0.0.1:" + port}
		reps = append(reps, r)
		if err := waitReady(r.base, 30*time.Second); err != nil {
			return reps, fmt.Errorf("replica %d (log %s): %w", i, logf.Name(), err)
		}
	}
	return reps, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func waitReady(base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready at %s within %s", base, within)
}

// stopReplicas stops each replica as a deployment would (SIGTERM) and
// waits for it.
func stopReplicas(reps []*replica) {
	for _, r := range reps {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range reps {
		_ = r.cmd.Wait()
	}
}

// sendOrdered sends texts 0..n-1 (text i from conversation i%convs) with c
// senders, to the urls in turn; text i waits until text i-convs, the same
// conversation's previous one, was acknowledged, as one phone's texts
// reach Telnyx and its webhooks in order.
func sendOrdered(urls []string, priv ed25519.PrivateKey, n, c, convs int, run string) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}, Timeout: 10 * time.Second}
	acked := make([]chan struct{}, n)
	for i := range acked {
		acked[i] = make(chan struct{})
	}
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if i >= convs {
					<-acked[i-convs]
				}
				if err := sendOne(client, urls[i%len(urls)], priv, webhook(run, i, convs)); err != nil {
					errs <- fmt.Errorf("text %d: %w", i, err)
				}
				close(acked[i])
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs // the first, if any
}

func sendOne(client *http.Client, url string, priv ed25519.PrivateKey, body []byte) error {
	sig, ts := telnyxhook.Sign(priv, time.Now(), body)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Command loadgen posts signed Telnyx webhooks to a running smsbridge and
// reports throughput and latency. It plays Telnyx: it signs with an Ed25519
// key made from -seed, whose public key `loadgen -print-key` prints for the
// service's TELNYX_PUBLIC_KEY. With -slack-sink it also serves a minimal
// Slack Web API that accepts every post, so the service's workers have
// somewhere to post while the load runs. It sends only to the URL given;
// use a loopback address.
//
//	loadgen -print-key -seed demo
//	loadgen -slack-sink 127.0.0.1:9099 &
//	loadgen -url http://127.0.0.1:8080/webhooks/telnyx -seed demo -n 20000 -c 32
//	loadgen -fill-db history.db -fill-messages 10000000   # years of history
//	loadgen -burst -service ./smsbridge -database burst.db -n 1000 -convs 200
//
// With -burst it runs the burst benchmark itself (burst.go): the fake
// Slack at its strict 1 post/s per channel, -replicas smsbridge processes
// on -database, the texts, and the checks (scripts/burst.sh).
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

func main() {
	var (
		url       = flag.String("url", "http://127.0.0.1:8080/webhooks/telnyx", "webhook URL of the service (loopback); several, comma-separated, are sent to in turn (replicas behind a round-robin balancer)")
		seed      = flag.String("seed", "smsbridge-load", "seed of the signing key")
		printKey  = flag.Bool("print-key", false, "print TELNYX_PUBLIC_KEY for -seed and exit")
		n         = flag.Int("n", 20000, "webhooks to send")
		c         = flag.Int("c", 32, "concurrent senders")
		convs     = flag.Int("convs", 200, "distinct conversations (remote numbers)")
		sink      = flag.String("slack-sink", "", "serve a Slack Web API that accepts everything at this address, and do nothing else")
		maxTime   = flag.Duration("max-time", 2*time.Minute, "stop sending after this long")
		fillDB    = flag.String("fill-db", "", "write -fill-messages messages, 3 s apart, and the finished events of the last 7 days of them into a new database at this SQLite path or postgres:// URL, and do nothing else")
		fillN     = flag.Int("fill-messages", 10_000_000, "messages -fill-db writes")
		runPrefix = flag.String("run", fmt.Sprint(time.Now().UnixNano()), "event id prefix (a new run sends new events)")
		burst     = flag.Bool("burst", false, "run the burst benchmark: start -replicas of -service against a fake Slack at 1 post/s per channel, send -n texts over -convs conversations, wait until all are visible and check them")
		service   = flag.String("service", "smsbridge", "-burst: the smsbridge binary")
		database  = flag.String("database", "", "-burst: DATABASE_URL of every replica (an SQLite path or postgres:// URL of a fresh database)")
		replicas  = flag.Int("replicas", 1, "-burst: smsbridge processes on the one database")
		logs      = flag.String("logs", os.TempDir(), "-burst: directory for the replicas' logs")
		burstMax  = flag.Duration("burst-timeout", 10*time.Minute, "-burst: give up waiting for the texts after this long")
	)
	flag.Parse()
	key := sha256.Sum256([]byte(*seed))
	priv := ed25519.NewKeyFromSeed(key[:])
	if *printKey {
		fmt.Println(base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)))
		return
	}
	if *sink != "" {
		serveSink(*sink)
		return
	}
	if *fillDB != "" {
		logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
		if err := fill(context.Background(), *fillDB, *fillN, fillEvents, logf); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if *burst {
		if *database == "" {
			fmt.Fprintln(os.Stderr, "loadgen: -burst needs -database (a fresh SQLite path or postgres:// URL)")
			os.Exit(2)
		}
		os.Exit(runBurst(burstOpts{service: *service, database: *database, replicas: *replicas, n: *n, convs: *convs, c: *c, logs: *logs, timeout: *burstMax}, priv))
	}
	os.Exit(load(*url, priv, *n, *c, *convs, *maxTime, *runPrefix))
}

func load(url string, priv ed25519.PrivateKey, n, c, convs int, maxTime time.Duration, run string) int {
	urls := strings.Split(url, ",")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}, Timeout: 10 * time.Second}
	lat := make([]time.Duration, n)
	var next, fails, sent atomic.Int64
	deadline := time.Now().Add(maxTime)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || time.Now().After(deadline) {
					return
				}
				body := webhook(run, i, convs)
				sig, ts := telnyxhook.Sign(priv, time.Now(), body)
				req, _ := http.NewRequest(http.MethodPost, urls[i%len(urls)], bytes.NewReader(body))
				req.Header.Set(telnyxhook.HeaderSignature, sig)
				req.Header.Set(telnyxhook.HeaderTimestamp, ts)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				sent.Add(1)
				if err != nil {
					fails.Add(1)
					lat[i] = -1
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					fails.Add(1)
					lat[i] = -1
					continue
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var ok []time.Duration
	for _, d := range lat {
		if d > 0 {
			ok = append(ok, d)
		}
	}
	slices.Sort(ok)
	pct := func(p float64) time.Duration {
		if len(ok) == 0 {
			return 0
		}
		return ok[min(len(ok)-1, int(float64(len(ok))*p))]
	}
	fmt.Printf("sent %d webhooks in %s with %d senders: %d acknowledged (2xx), %d failed\n", sent.Load(), elapsed.Round(time.Millisecond), c, len(ok), fails.Load())
	fmt.Printf("throughput %.0f acknowledged/s\n", float64(len(ok))/elapsed.Seconds())
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50), pct(0.90), pct(0.99), pct(1))
	// Its own share of the machine, so a run on shared cores can say how
	// much of the CPU went to making the load rather than serving it.
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Printf("loadgen CPU %.2f s\n", cpu.Seconds())
	}
	if fails.Load() > 0 {
		return 1
	}
	return 0
}

// webhook is a message.received like Telnyx's, unique per (run, i), its
// ids UUIDs as Telnyx's are.
func webhook(run string, i, convs int) []byte {
	type ep struct {
		PhoneNumber string `json:"phone_number"`
		Carrier     string `json:"carrier"`
		LineType    string `json:"line_type"`
	}
	body, _ := json.Marshal(map[string]any{
		"data": map[string]any{
			"event_type": "message.received", "id": telnyxID("load-ev-"+run, i), "record_type": "event",
			"occurred_at": time.Now().UTC().Format(time.RFC3339Nano),
			"payload": map[string]any{
				"id": telnyxID("load-msg-"+run, i), "record_type": "message", "direction": "inbound", "type": "SMS",
				"from": ep{fmt.Sprintf("+1312555%04d", i%convs), "T-MOBILE USA, INC.", "Wireless"},
				"to":   []ep{{"+18445550001", "TELNYX LLC", "VoIP"}}, "cc": []ep{}, "media": []any{},
				"text": fmt.Sprintf("load test message %d", i), "encoding": "GSM-7", "parts": 1, "errors": []any{},
			},
		},
		"meta": map[string]any{"attempt": 1, "delivered_to": "http://127.0.0.1/webhooks/telnyx"},
	})
	return body
}

// serveSink answers every Slack Web API call with ok:true and a fresh ts.
func serveSink(addr string) {
	var seq atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		ts := fmt.Sprintf("1700000000.%06d", seq.Add(1))
		fmt.Fprintf(w, `{"ok":true,"channel":"CLOAD","ts":%q,"user_id":"U0BOT","bot_id":"B0BOT","team_id":"T0","url":"https://load.slack.com/","message":{"ts":%q}}`, ts, ts)
	})
	fmt.Fprintln(os.Stderr, "slack sink listening on", addr)
	if err := http.ListenAndServe(addr, h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

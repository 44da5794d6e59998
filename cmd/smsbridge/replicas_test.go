package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// TestReplicasShareThePostgreSQLAndSurviveAKill runs three replicas of the
// real service (child processes) on one PostgreSQL database behind a
// round-robin "load balancer", posts 2,000 signed texts over 100
// conversations, and SIGKILLs one replica mid-burst (its share of the
// traffic moves to the others, as a load balancer would do). Every
// acknowledged text reaches Slack exactly once (bar a Slack call in flight
// at the kill), in order per conversation, in one thread per conversation,
// and the conversations the killed replica held move again within 15 s of
// the kill, when its 10 s leases run out.
func TestReplicasShareThePostgreSQLAndSurviveAKill(t *testing.T) {
	if testing.Short() || !testdb.Postgres() {
		t.Skip("needs PostgreSQL (SMSBRIDGE_TEST_POSTGRES_URL) and child processes")
	}
	// 2,000 texts into one channel at 1000/s, on both sides: a test of
	// what a kill loses, not of the pace.
	slackSrv := fakeslack.New(t, fakeslack.WithPostRate(1000))
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	db := testdb.URL(t)
	env := func(i int) []string {
		return []string{
			"LISTEN_ADDR=127.0.0.1:0",
			"DATABASE_URL=" + db,
			"TELNYX_API_KEY=KEYreplicas",
			"TELNYX_PUBLIC_KEY=" + base64.StdEncoding.EncodeToString(pub),
			"TELNYX_API_URL=http://127.0.0.1:1/v2",
			"SLACK_BOT_TOKEN=" + slackSrv.Token(),
			"SLACK_SIGNING_SECRET=x",
			"SLACK_API_URL=" + slackSrv.URL(),
			"SLACK_CHANNEL=CINBOX",
			"SMSBRIDGE_SLACK_RATE=1000",
			fmt.Sprintf("SMSBRIDGE_INSTANCE_ID=replica-%d", i),
		}
	}
	// The first replica migrates the database alone; then the others join.
	replicas := []*child{startChild(t, env(0))}
	replicas = append(replicas, startChild(t, env(1)), startChild(t, env(2)))

	const convs, perConv, killAfter, victim = 100, 20, 700, 0
	var acked [convs][]string
	var total atomic.Int64
	var dead atomic.Bool
	var killedAt time.Time
	var killOnce sync.Once
	var atKill map[string]bool // texts in Slack at the kill
	var held map[int]bool      // conversations whose lanes the killed replica held
	kill := func() {
		killOnce.Do(func() {
			killedAt = time.Now()
			replicas[victim].cmd.Process.Signal(syscall.SIGKILL)
			dead.Store(true)
			atKill = postedNow(slackSrv)
			held = heldBy(t, db, "replica-0/")
		})
	}
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(addr string, body []byte) error {
		sig, ts := telnyxhook.Sign(priv, time.Now(), body)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/telnyx", bytes.NewReader(body))
		req.Header.Set(telnyxhook.HeaderSignature, sig)
		req.Header.Set(telnyxhook.HeaderTimestamp, ts)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 24) // concurrent senders, like Telnyx's
	for ci := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := fmt.Sprintf("+1312555%04d", ci)
			for i := range perConv {
				text := fmt.Sprintf("c%03d-m%02d", ci, i)
				body := sms("ev-"+text, "msg-"+text, from, "+18445550001", text)
				sem <- struct{}{}
				var err error
				for attempt := range 30 {
					r := (ci + i + attempt) % len(replicas)
					if r == victim && dead.Load() {
						continue // the balancer no longer sends there
					}
					if err = post(replicas[r].addr, body); err == nil {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				<-sem
				if err != nil {
					t.Errorf("webhook %s never acknowledged: %v", text, err)
					return
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
	if t.Failed() {
		t.FailNow()
	}

	// The conversations the killed replica held move again within 15 s of
	// the kill: once its leases run out, the others take them.
	if len(held) == 0 {
		t.Fatal("the killed replica held no conversation; the test measures no failover")
	}
	moved := func() bool {
		posted := postedNow(slackSrv)
		for ci := range held {
			if !slices.ContainsFunc(acked[ci], func(x string) bool { return posted[x] && !atKill[x] }) {
				return false
			}
		}
		return true
	}
	if !slackSrv.Await(moved, 15*time.Second-time.Since(killedAt)) {
		slackSrv.Await(moved, 60*time.Second)
		t.Fatalf("the %d conversations the killed replica held did not all move within 15 s of the kill (they had after %v)", len(held), time.Since(killedAt).Round(time.Millisecond))
	}
	t.Logf("the %d conversations the killed replica held moved %v after the kill", len(held), time.Since(killedAt).Round(time.Millisecond))
	allPosted := func() bool {
		posted := postedNow(slackSrv)
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
		t.Fatal("not every acknowledged text reached Slack within 60 s")
	}
	t.Logf("all %d texts in Slack %v after the kill", convs*perConv, time.Since(killedAt).Round(time.Millisecond))

	byConv := crashReplies(slackSrv)
	dups := 0
	for ci := range convs {
		from := fmt.Sprintf("+1 312-555-%04d", ci)
		got := byConv[from]
		seen, n := collapseRepeats(got)
		dups += n
		if !slices.Equal(seen, acked[ci]) {
			t.Fatalf("conversation %d in Slack: %v\nacknowledged: %v", ci, seen, acked[ci])
		}
	}
	// One thread each: headers with replies, per conversation.
	threads := map[string]int{}
	type head struct {
		texts   []string
		replies bool
	}
	heads := map[string][]head{}
	for _, h := range slackSrv.Messages("CINBOX") {
		if h.ThreadTS != "" && h.ThreadTS != h.TS {
			continue
		}
		// A header that carries texts (a conversation's first texts ride in
		// it) or has replies is the conversation's thread; one posted twice
		// across the kill with no texts is left empty.
		hd := head{carriedTexts(h), len(slackSrv.ThreadReplies("CINBOX", h.TS)) > 1}
		if len(hd.texts) > 0 || hd.replies {
			if i := strings.Index(h.Text, "+1 312"); i >= 0 {
				k := h.Text[i : i+len("+1 312-555-0000")]
				heads[k] = append(heads[k], hd)
			}
		}
	}
	for k, hs := range heads {
		// A header in flight at the kill is posted again, carrying the
		// same first texts (perhaps with later ones joined): without
		// replies of its own it is a double post (collapseRepeats counted
		// its texts as one above), not a second thread.
		for i, h := range hs {
			repeat := !h.replies && slices.ContainsFunc(hs[i+1:], func(o head) bool {
				return len(o.texts) >= len(h.texts) && slices.Equal(o.texts[:len(h.texts)], h.texts)
			})
			if !repeat {
				threads[k]++
			}
		}
	}
	for k, n := range threads {
		if n != 1 {
			t.Fatalf("conversation %s has %d threads", k, n)
		}
	}
	if len(threads) != convs {
		t.Fatalf("%d conversations have a thread, want %d", len(threads), convs)
	}
	if dups > 4 {
		t.Fatalf("%d double posts; at most one per worker of the killed replica may be in flight", dups)
	}
	t.Logf("%d double posts", dups)
}

// postedNow is every text in the channel's threads.
func postedNow(srv *fakeslack.Server) map[string]bool {
	posted := map[string]bool{}
	for _, texts := range crashReplies(srv) {
		for _, x := range texts {
			posted[x] = true
		}
	}
	return posted
}

// heldBy is the conversations (by their number in the test) whose lanes
// owners starting with prefix hold now.
func heldBy(t *testing.T, url, prefix string) map[int]bool {
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM lanes WHERE substr(lease_owner, 1, $1) = $2 AND lease_until > now()", len(prefix), prefix)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		var ci int
		if i := strings.LastIndex(name, "+1312555"); i >= 0 {
			fmt.Sscanf(name[i+len("+1312555"):], "%04d", &ci)
			out[ci] = true
		}
	}
	return out
}

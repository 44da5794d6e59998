package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// service is smsbridge running in-process against fake Slack and Telnyx
// servers, on a database that outlives restarts.
type service struct {
	t      *testing.T
	slack  *fakeslack.Server
	priv   ed25519.PrivateKey
	env    map[string]string
	addr   string
	cancel context.CancelFunc
	done   chan error
}

func newService(t *testing.T) *service {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	// The service posts at 1000/s (SMSBRIDGE_SLACK_RATE below) and the fake
	// takes as much: these tests are about the service's paths, not its pace.
	s := &service{t: t, slack: fakeslack.New(t, fakeslack.WithPostRate(1000)), priv: priv}
	s.env = map[string]string{
		"LISTEN_ADDR":          "127.0.0.1:0",
		"DATABASE_URL":         filepath.Join(t.TempDir(), "smsbridge.db"),
		"TELNYX_API_KEY":       "KEYtest",
		"TELNYX_PUBLIC_KEY":    base64.StdEncoding.EncodeToString(pub),
		"TELNYX_API_URL":       "http://127.0.0.1:1/v2", // inbound needs no API calls
		"SLACK_BOT_TOKEN":      s.slack.Token(),
		"SLACK_SIGNING_SECRET": "signing-secret",
		"SLACK_API_URL":        s.slack.URL(),
		"SLACK_CHANNEL":        "CINBOX",
		"SLACK_ROUTES":         "+18445550002=CSECOND",
		"SMSBRIDGE_SLACK_RATE": "1000",
		// Not about quiet hours: a reply sent when Chicago sleeps would be held.
		"SMSBRIDGE_QUIET_HOURS": "off",
	}
	return s
}

func (s *service) start() {
	s.t.Helper()
	cfg, err := loadConfig(func(k string) string { return s.env[k] })
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), ready) }()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		s.t.Fatalf("service did not start: %v", err)
	}
	s.t.Cleanup(s.stop)
}

func (s *service) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("service stopped with %v", err)
	}
	s.cancel = nil
}

func (s *service) webhook(body []byte) int {
	s.t.Helper()
	sig, ts := telnyxhook.Sign(s.priv, time.Now(), body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/webhooks/telnyx", bytes.NewReader(body))
	req.Header.Set(telnyxhook.HeaderSignature, sig)
	req.Header.Set(telnyxhook.HeaderTimestamp, ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// sms builds a message.received body like Telnyx's.
func sms(eventID, msgID, from, to, text string) []byte {
	type ep struct {
		PhoneNumber string `json:"phone_number"`
	}
	b, _ := json.Marshal(map[string]any{"data": map[string]any{
		"event_type": "message.received", "id": eventID, "record_type": "event", "occurred_at": "2026-08-20T15:04:05.123+00:00",
		"payload": map[string]any{"id": msgID, "direction": "inbound", "type": "SMS", "text": text, "record_type": "message",
			"from": ep{from}, "to": []ep{{to}}, "cc": []ep{}, "media": []any{}},
	}})
	return b
}

// threads returns the channel's top-level posts (headers) and, per header,
// the texts posted in its thread.
func threads(srv *fakeslack.Server, channel string) (headers []recorded.Message, replies map[string][]string) {
	replies = map[string][]string{}
	for _, m := range srv.Messages(channel) {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue
		}
		headers = append(headers, m)
		// The first texts of a conversation ride in its header, and texts
		// that waited for the channel's turn share a post: each counts.
		replies[m.TS] = append(replies[m.TS], carriedTexts(m)...)
		for _, r := range srv.ThreadReplies(channel, m.TS) {
			if r.TS != m.TS && len(r.Files) == 0 {
				if texts := carriedTexts(r); len(texts) > 0 {
					replies[m.TS] = append(replies[m.TS], texts...)
				} else {
					replies[m.TS] = append(replies[m.TS], r.Text)
				}
			}
		}
	}
	return headers, replies
}

// carriedTexts are the inbound texts a post holds as a list (a header's
// first texts, or coalesced texts): each is a context block with its time
// (<!date^…>) followed by the sections of its text.
func carriedTexts(m recorded.Message) []string {
	var blocks []struct {
		Type     string                 `json:"type"`
		Text     *struct{ Text string } `json:"text"`
		Elements []map[string]any       `json:"elements"`
	}
	if len(m.Blocks) == 0 || json.Unmarshal(m.Blocks, &blocks) != nil {
		return nil
	}
	var out []string
	in := false
	for _, b := range blocks {
		switch {
		case b.Type == "context" && len(b.Elements) > 0 && strings.Contains(fmt.Sprint(b.Elements[0]["text"]), "<!date^"):
			out, in = append(out, ""), true
		case b.Type == "section" && in && b.Text != nil:
			out[len(out)-1] += b.Text.Text
		default:
			in = false
		}
	}
	return out
}

// waitThreadsStored waits until n conversations know their thread. A text
// that rides in its header is visible once the header is posted, a moment
// before the thread's ts is stored; a reply in the thread sooner than that
// (no person is so quick) would find no conversation.
func (s *service) waitThreadsStored(n int64) {
	s.t.Helper()
	st, err := store.Open(context.Background(), s.env["DATABASE_URL"])
	if err != nil {
		s.t.Fatal(err)
	}
	defer st.Close()
	s.slack.WaitFor(func() bool {
		var got int64
		st.DB().Model(&store.Conversation{}).Where("thread_ts <> ''").Count(&got)
		return got >= n
	}, 10*time.Second)
}

func waitReplies(t *testing.T, srv *fakeslack.Server, channel string, n int) {
	t.Helper()
	srv.WaitFor(func() bool {
		_, r := threads(srv, channel)
		total := 0
		for _, x := range r {
			total += len(x)
		}
		return total >= n
	}, 10*time.Second)
}

func TestE2EInboundThreadsAcrossRestart(t *testing.T) {
	s := newService(t)
	s.start()
	if c := s.webhook(sms("e1", "m1", "+13125550123", "+18445550001", "deploy status?")); c != 200 {
		t.Fatalf("status %d", c)
	}
	s.webhook(sms("e2", "m2", "+13125550123", "+18445550001", "hello?"))
	s.webhook(sms("e3", "m3", "+14155550188", "+18445550001", "other person"))
	s.webhook(sms("e4", "m4", "+13125550123", "+18445550002", "routed elsewhere"))
	waitReplies(t, s.slack, "CINBOX", 3)
	waitReplies(t, s.slack, "CSECOND", 1)
	s.stop()

	s.start()
	s.webhook(sms("e5", "m5", "+13125550123", "+18445550001", "after the restart"))
	waitReplies(t, s.slack, "CINBOX", 4)

	headers, replies := threads(s.slack, "CINBOX")
	if len(headers) != 2 {
		t.Fatalf("want 2 threads in the inbox, got %d", len(headers))
	}
	var first []string
	for _, h := range headers {
		if strings.Contains(h.Text, "312") {
			first = replies[h.TS]
		}
	}
	if len(first) != 3 || !strings.Contains(first[0], "deploy status?") || !strings.Contains(first[2], "after the restart") {
		t.Fatalf("first conversation's thread: %q", first)
	}
	if h2, _ := threads(s.slack, "CSECOND"); len(h2) != 1 {
		t.Fatalf("routed number: %d threads", len(h2))
	}
}

func TestE2ESameEventThreeTimesPostsOnce(t *testing.T) {
	s := newService(t)
	s.start()
	body := sms("e1", "m1", "+13125550123", "+18445550001", "once")
	for i := 0; i < 3; i++ {
		if c := s.webhook(body); c != 200 {
			t.Fatalf("delivery %d: %d", i, c)
		}
	}
	s.webhook(sms("e2", "m2", "+13125550123", "+18445550001", "marker"))
	waitReplies(t, s.slack, "CINBOX", 2)
	_, replies := threads(s.slack, "CINBOX")
	for _, r := range replies {
		if len(r) != 2 {
			t.Fatalf("replies: %q", r)
		}
	}
}

func TestE2ESimultaneousFirstTextsMakeOneThread(t *testing.T) {
	s := newService(t)
	s.start()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.webhook(sms(fmt.Sprintf("e%d", i), fmt.Sprintf("m%d", i), "+13125550123", "+18445550001", fmt.Sprintf("text %d", i)))
		}()
	}
	wg.Wait()
	waitReplies(t, s.slack, "CINBOX", 2)
	if h, _ := threads(s.slack, "CINBOX"); len(h) != 1 {
		t.Fatalf("%d threads", len(h))
	}
}

func TestE2EMMSBecomesUploadInThread(t *testing.T) {
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write([]byte("\xff\xd8\xff fake jpeg"))
	}))
	defer media.Close()
	s := newService(t)
	s.env["SMSBRIDGE_MEDIA_ALLOW_HOSTS"] = strings.TrimPrefix(media.URL, "http://")
	s.start()
	raw, err := os.ReadFile("../../telnyx/testdata/webhooks/message.received.mms.json")
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.ReplaceAll(raw, []byte("https://media.telnyx.com"), []byte(media.URL))
	if c := s.webhook(body); c != 200 {
		t.Fatalf("status %d", c)
	}
	s.slack.WaitFor(func() bool { return len(s.slack.Uploads()) == 1 }, 10*time.Second)
	up := s.slack.Uploads()[0]
	headers, _ := threads(s.slack, "CINBOX")
	if len(headers) != 1 || up.ThreadTS != headers[0].TS || string(up.Content) != "\xff\xd8\xff fake jpeg" {
		t.Fatalf("upload %+v", up)
	}
}

func TestE2EMMSMediaInsideIsNotFetchedAndTheThreadSaysWhy(t *testing.T) {
	var hits atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("internal secrets"))
	}))
	defer inside.Close()
	raw, err := os.ReadFile("../../telnyx/testdata/webhooks/message.received.mms.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, url, why string }{
		{"loopback", inside.URL + "/latest/meta-data", "a loopback address"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/iam", "the cloud metadata address"},
		{"not http", "gopher://media.example.com/0.jpg", "not an http or https link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			s.start()
			body := bytes.ReplaceAll(raw, []byte("https://media.telnyx.com/example/5b2c7d0e-3a41-4e7e-9d0b-1f2a3b4c5d6e/0.jpg"), []byte(tc.url))
			if c := s.webhook(body); c != 200 {
				t.Fatalf("status %d", c)
			}
			waitReplies(t, s.slack, "CINBOX", 2)
			_, replies := threads(s.slack, "CINBOX")
			var note string
			for _, rs := range replies {
				for _, r := range rs {
					if strings.Contains(r, "could not be downloaded") {
						note = r
					}
				}
			}
			if !strings.Contains(note, tc.why) || !strings.Contains(note, tc.url) {
				t.Fatalf("the thread does not show the link and why: %q", replies)
			}
			if len(s.slack.Uploads()) != 0 || hits.Load() != 0 {
				t.Fatalf("fetched: %d uploads, %d requests inside", len(s.slack.Uploads()), hits.Load())
			}
		})
	}
}

func TestE2ESlackOutageDelaysButLosesAndDoublesNothing(t *testing.T) {
	s := newService(t)
	s.slack.FailNext("chat.postMessage", 2, fakeslack.HTTPError(503))
	s.slack.FailNext("chat.postMessage", 1, fakeslack.RateLimited(1))
	s.start()
	for i := 0; i < 5; i++ {
		if c := s.webhook(sms(fmt.Sprintf("e%d", i), fmt.Sprintf("m%d", i), "+13125550123", "+18445550001", fmt.Sprintf("n%d", i))); c != 200 {
			t.Fatalf("status %d", c)
		}
	}
	waitReplies(t, s.slack, "CINBOX", 5)
	time.Sleep(100 * time.Millisecond) // let any stray duplicate land before counting
	headers, replies := threads(s.slack, "CINBOX")
	if len(headers) != 1 {
		t.Fatalf("%d threads", len(headers))
	}
	got := replies[headers[0].TS]
	if len(got) != 5 {
		t.Fatalf("replies %q", got)
	}
	for i, r := range got {
		if !strings.Contains(r, fmt.Sprintf("n%d", i)) {
			t.Fatalf("out of order: %q", got)
		}
	}
}

func TestMissingSettingsNamesEveryOne(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(nil, func(string) string { return "" }, &out, &errOut)
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	msg := errOut.String()
	for _, v := range []string{"TELNYX_API_KEY", "TELNYX_PUBLIC_KEY", "SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_SIGNING_SECRET", "Telnyx portal", "Slack app page"} {
		if !strings.Contains(msg, v) {
			t.Errorf("message does not mention %s:\n%s", v, msg)
		}
	}
}

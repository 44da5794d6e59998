// Package sandbox is smsbridge with no accounts: the real service runs
// against a simulated Slack workspace (internal/fakeslack) and a simulated
// Telnyx carrier (internal/faketelnyx, as a carrier), both in the process
// on loopback, and a web page (web/, embedded) shows and drives both: the
// inbox channel as Slack shows it, with its buttons, threads, modals and
// App Home, and any number of simulated phones.
//
// The sandbox owns the simulated side only: cmd/smsbridge builds the
// service with the very function that builds the real one, from the
// settings Settings returns. What the page does reaches the service the
// way Slack and Telnyx reach it: signed Events API events, slash commands
// and interactions (the signing secret is the sandbox's), and signed
// Telnyx webhooks. In half-real mode (Options.RealSlack) Slack is the real
// workspace and the page shows the phones only.
package sandbox

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// The simulated workspace.
const (
	// WorkspaceName marks every post the page shows as the sandbox's.
	WorkspaceName = "smsbridge sandbox"
	// Channel is the inbox channel's id, ChannelName its name.
	Channel     = "C0SANDBOX"
	ChannelName = "sms-inbox"
	// You is the teammate at the page; Teammate is a second one to assign to.
	You      = "U0YOU"
	Teammate = "U0ALEX"
)

// Options configure a sandbox.
type Options struct {
	// RealSlack: Slack is the real workspace (half-real mode); only the
	// carrier is simulated.
	RealSlack bool
	// DeliveryDelay is how long the carrier takes to report each step of
	// a delivery (sent, then delivered); default 600 ms.
	DeliveryDelay time.Duration
	Log           *slog.Logger
}

// Sandbox is the simulated side: workspace, carrier, phones, the page.
type Sandbox struct {
	opts    Options
	log     *slog.Logger
	Slack   *fakeslack.Server // nil in half-real mode
	Carrier *faketelnyx.Server
	pub     ed25519.PublicKey
	secret  string // the Slack signing secret the service verifies
	hc      *http.Client
	hub     *hub

	mu         sync.Mutex
	service    string // the service's base URL, from Attach
	seq        int64
	phones     []string
	inbound    []phoneText // what phones sent, in order
	answers    []answer    // command acknowledgements and response_url posts
	seenViews  map[string]bool
	modals     []string // the open modal stack, view ids
	localViews map[string]localView
	viewErrors map[string]map[string]string
	stop       context.CancelFunc
	done       chan struct{}
}

// phoneText is a text a simulated phone sent.
type phoneText struct {
	Seq    int64    `json:"seq"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	CC     []string `json:"cc,omitempty"`
	Text   string   `json:"text"`
	Media  []string `json:"media,omitempty"` // data: URLs of the pictures
	Status int      `json:"status"`          // the service's HTTP answer to the webhook
	At     string   `json:"at"`
}

// New starts the simulated carrier (and, unless RealSlack, workspace).
func New(opts Options) (*Sandbox, error) {
	if opts.DeliveryDelay <= 0 {
		opts.DeliveryDelay = 600 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	s := &Sandbox{opts: opts, log: opts.Log, pub: pub, secret: hex.EncodeToString(secret),
		hc: &http.Client{Timeout: 30 * time.Second}, hub: newHub(), seenViews: map[string]bool{},
		localViews: map[string]localView{}, viewErrors: map[string]map[string]string{},
		phones: []string{"+13125550100", "+13125550101", "+13125550102"}}
	s.Carrier, err = faketelnyx.Start(faketelnyx.WithCarrier(priv, opts.DeliveryDelay),
		faketelnyx.WithViolationHook(func(v faketelnyx.Violation) {
			s.log.Warn("sandbox: a request Telnyx would refuse", "violation", v.String())
		}))
	if err != nil {
		return nil, fmt.Errorf("sandbox: simulated carrier: %w", err)
	}
	s.Carrier.SetOptOuts()
	if !opts.RealSlack {
		s.Slack = fakeslack.Start(WorkspaceName)
		s.seedWorkspace()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go s.watch(ctx)
	return s, nil
}

// seedWorkspace adds the channel and the teammates the page shows.
func (s *Sandbox) seedWorkspace() {
	ch := slack.Channel{}
	ch.ID, ch.Name, ch.IsChannel, ch.IsMember = Channel, ChannelName, true, true
	s.Slack.AddChannel(ch)
	for _, u := range []struct {
		id, name string
		admin    bool
	}{{You, "you", true}, {Teammate, "alex", false}} {
		s.Slack.AddUser(slack.User{ID: u.id, Name: u.name, RealName: u.name + " (sandbox)", TeamID: fakeslack.TeamID,
			IsAdmin: u.admin, TZ: "UTC", Profile: slack.UserProfile{DisplayName: u.name, RealName: u.name + " (sandbox)"}})
	}
}

// Settings are the service's settings for the sandbox: the simulated
// carrier's API and key and, unless half-real, the simulated workspace.
// Everything else comes from the environment as usual.
func (s *Sandbox) Settings() map[string]string {
	carrierHost := strings.TrimPrefix(s.Carrier.URL, "http://")
	env := map[string]string{
		"TELNYX_API_KEY":    "KEYsandbox",
		"TELNYX_PUBLIC_KEY": base64.StdEncoding.EncodeToString(s.pub),
		"TELNYX_API_URL":    s.Carrier.BaseURL,
		// MMS pictures from the phones are served by the carrier on loopback.
		"SMSBRIDGE_MEDIA_ALLOW_HOSTS": carrierHost,
	}
	if s.Slack != nil {
		env["SLACK_BOT_TOKEN"] = s.Slack.Token()
		env["SLACK_SIGNING_SECRET"] = s.secret
		env["SLACK_API_URL"] = s.Slack.URL()
		env["SLACK_CHANNEL"] = Channel
		env["SLACK_APP_ID"] = fakeslack.AppID
		env["SMSBRIDGE_ADMINS"] = You
	}
	return env
}

// Hosts are the host:ports of the simulated servers (all loopback).
func (s *Sandbox) Hosts() []string {
	hosts := []string{strings.TrimPrefix(s.Carrier.URL, "http://")}
	if s.Slack != nil {
		if u, err := url.Parse(s.Slack.URL()); err == nil {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// Attach tells the sandbox where the service listens (its base URL,
// "http://127.0.0.1:port"): the carrier's webhooks and the page's Slack
// requests go there.
func (s *Sandbox) Attach(serviceURL string) {
	s.mu.Lock()
	s.service = strings.TrimSuffix(serviceURL, "/")
	s.mu.Unlock()
	s.Carrier.SetWebhookURL(s.service + "/webhooks/telnyx")
	s.hub.changed()
}

// Close stops the simulated servers.
func (s *Sandbox) Close() {
	s.stop()
	<-s.done
	s.hub.close()
	s.Carrier.WaitCarrier()
	s.Carrier.Close()
	if s.Slack != nil {
		s.Slack.Close()
	}
}

// watch tells the page's listeners whenever a simulated server records
// something, at most every 50 ms. It takes the servers' next change
// channels before it tells the page: a change after that closes them, and
// one before it is in the state the page then fetches, so none is missed
// (a change during the pause included).
func (s *Sandbox) watch(ctx context.Context) {
	defer close(s.done)
	slackChanged, carrierChanged := s.changes()
	for {
		select {
		case <-ctx.Done():
			return
		case <-slackChanged:
		case <-carrierChanged:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond): // coalesce a burst into one update
		}
		slackChanged, carrierChanged = s.changes()
		s.hub.changed()
	}
}

// changes are the simulated servers' channels for their next change (no
// workspace in half-real mode: never closed).
func (s *Sandbox) changes() (slackChanged, carrierChanged <-chan struct{}) {
	if s.Slack != nil {
		slackChanged = s.Slack.Changed()
	}
	return slackChanged, s.Carrier.Changed()
}

// next is a fresh number for ids, timestamps and triggers.
func (s *Sandbox) next() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

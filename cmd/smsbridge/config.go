package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/internal/netguard"
)

// config is the service's settings, from the environment (DESIGN.md).
type config struct {
	ListenAddr       string
	DatabaseURL      string
	TelnyxAPIKey     string
	TelnyxPublicKey  string
	TelnyxAPIURL     string
	TelnyxProfileID  string
	SlackBotToken    string
	SlackSigning     string
	SlackAppToken    string
	SlackAPIURL      string
	SlackAppID       string
	SlackChannel     string
	SlackRoutes      map[bridge.E164]string
	SenderRates      bridge.SenderRates
	Admins           []string
	PublicBaseURL    string
	DefaultRegion    string
	NotePrefix       string
	Signature        bool
	Silence          time.Duration
	LogLevel         string
	SlackChannelRate float64
	Lease            time.Duration
	MediaAllowHosts  []string
	ScheduleMaxAhead time.Duration
	Workers          int
	// Instance is the stable id a restart takes its own leases back by.
	Instance string
	// KeepPayloads and KeepMessages are the retention settings; 0 keeps
	// forever.
	KeepPayloads time.Duration
	KeepMessages time.Duration
	// PprofAddr, when set, is a loopback address serving net/http/pprof
	// (profiling a load run); off by default.
	PprofAddr string
	// RepliesEveryone lets every teammate add and remove saved replies.
	RepliesEveryone bool
	// Quiet is the recipients' quiet hours; AutoReplyEvery how often one
	// conversation may get the business-hours auto-reply.
	Quiet          bridge.QuietHours
	AutoReplyEvery time.Duration
	// Waiting: the channel signal, nudges and the on-call group.
	Waiting bridge.WaitingConfig
}

type setting struct {
	name, def, where string
	required         bool
	dst              *string
}

// loadConfig reads the settings through getenv. A missing required setting
// fails with one message naming every missing variable and where to find it.
// rawSettings are the settings read as text that need parsing.
type rawSettings struct {
	routes, admins, silence, signature, rate, lease, senderRates, mediaAllow, maxAhead, workers, keepPayloads, keepMessages, repliesEveryone string

	quiet, autoReplyEvery                  string
	waitingSignal, nudgeAfter, onCallGroup string
}

// loadConfig reads every setting from getenv (naming the missing required
// ones and where to find them), then parses what needs parsing.
func loadConfig(getenv func(string) string) (*config, error) {
	c := &config{}
	var raw rawSettings
	if err := c.read(getenv, &raw); err != nil {
		return nil, err
	}
	if err := c.parse(raw); err != nil {
		return nil, err
	}
	return c, nil
}

// read fills c's plain settings and raw's from the environment.
func (c *config) read(getenv func(string) string, raw *rawSettings) error {
	settings := []setting{
		{"LISTEN_ADDR", ":8080", "", false, &c.ListenAddr},
		{"DATABASE_URL", "smsbridge.db", "", false, &c.DatabaseURL},
		{"TELNYX_API_KEY", "", "Telnyx portal → Account settings → Keys & Credentials → API Keys", true, &c.TelnyxAPIKey},
		{"TELNYX_PUBLIC_KEY", "", "Telnyx portal → Account settings → Keys & Credentials → Public Key", true, &c.TelnyxPublicKey},
		{"TELNYX_API_URL", "https://api.telnyx.com/v2", "", false, &c.TelnyxAPIURL},
		{"TELNYX_MESSAGING_PROFILE_ID", "", "", false, &c.TelnyxProfileID},
		{"SLACK_BOT_TOKEN", "", "Slack app page → OAuth & Permissions → Bot User OAuth Token (xoxb-…)", true, &c.SlackBotToken},
		{"SLACK_SIGNING_SECRET", "", "Slack app page → Basic Information → App Credentials → Signing Secret", false, &c.SlackSigning},
		{"SLACK_APP_TOKEN", "", "", false, &c.SlackAppToken},
		{"SLACK_API_URL", "https://slack.com/api/", "", false, &c.SlackAPIURL},
		{"SLACK_APP_ID", "", "", false, &c.SlackAppID},
		{"SLACK_CHANNEL", "", "Slack → the inbox channel → channel details → Channel ID (C…)", true, &c.SlackChannel},
		{"SLACK_ROUTES", "", "", false, &raw.routes},
		{"SMSBRIDGE_ADMINS", "", "", false, &raw.admins},
		{"PUBLIC_BASE_URL", "", "", false, &c.PublicBaseURL},
		{"SMSBRIDGE_DEFAULT_REGION", "US", "", false, &c.DefaultRegion},
		{"SMSBRIDGE_NOTE_PREFIX", "//", "", false, &c.NotePrefix},
		{"SMSBRIDGE_SIGNATURE", "false", "", false, &raw.signature},
		{"SMSBRIDGE_THREAD_SILENCE", "720h", "", false, &raw.silence},
		{"SMSBRIDGE_LOG_LEVEL", "info", "", false, &c.LogLevel},
		{"SMSBRIDGE_SLACK_RATE", "1", "", false, &raw.rate},
		{"SMSBRIDGE_WORKER_LEASE", "10s", "", false, &raw.lease},
		{"SMSBRIDGE_WORKERS", "4", "", false, &raw.workers},
		{"SMSBRIDGE_INSTANCE_ID", "", "", false, &c.Instance},
		{"SMSBRIDGE_KEEP_PAYLOADS", "7d", "", false, &raw.keepPayloads},
		{"SMSBRIDGE_KEEP_MESSAGES", "forever", "", false, &raw.keepMessages},
		{"SMSBRIDGE_SENDER_RATES", "", "", false, &raw.senderRates},
		{"SMSBRIDGE_MEDIA_ALLOW_HOSTS", "", "", false, &raw.mediaAllow},
		{"SMSBRIDGE_SCHEDULE_MAX_AHEAD", "8760h", "", false, &raw.maxAhead},
		{"SMSBRIDGE_PPROF_ADDR", "", "", false, &c.PprofAddr},
		{"SMSBRIDGE_REPLIES_EVERYONE", "false", "", false, &raw.repliesEveryone},
		{"SMSBRIDGE_QUIET_HOURS", "21:00-08:00", "", false, &raw.quiet},
		{"SMSBRIDGE_AUTOREPLY_EVERY", "12h", "", false, &raw.autoReplyEvery},
		{"SMSBRIDGE_WAITING_SIGNAL", "on", "", false, &raw.waitingSignal},
		{"SMSBRIDGE_NUDGE_AFTER", "off", "", false, &raw.nudgeAfter},
		{"SMSBRIDGE_ONCALL_GROUP", "", "", false, &raw.onCallGroup},
	}
	var missing []string
	for _, s := range settings {
		v := strings.TrimSpace(getenv(s.name))
		if v == "" {
			v = s.def
		}
		*s.dst = v
		if s.required && v == "" {
			missing = append(missing, fmt.Sprintf("  %s: %s", s.name, s.where))
		}
	}
	// Without Socket Mode, Slack reaches us over HTTP and we must verify it.
	if c.SlackAppToken == "" && c.SlackSigning == "" {
		missing = append(missing, "  SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode): Slack app page → Basic Information → App Credentials → Signing Secret")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing required settings:\n%s", strings.Join(missing, "\n"))
	}
	return nil
}

// parse checks and converts the settings that are more than text.
func (c *config) parse(raw rawSettings) error {
	var err error
	if c.SlackRoutes, err = bridge.ParseRoutes(raw.routes); err != nil {
		return err
	}
	if c.SenderRates, err = bridge.ParseSenderRates(raw.senderRates); err != nil {
		return err
	}
	for _, a := range strings.Split(raw.admins, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}
	if c.Silence, err = time.ParseDuration(raw.silence); err != nil || c.Silence <= 0 {
		return fmt.Errorf("SMSBRIDGE_THREAD_SILENCE %q: want a duration such as 720h", raw.silence)
	}
	c.Signature = raw.signature == "true" || raw.signature == "1"
	switch strings.ToLower(raw.repliesEveryone) {
	case "true", "1":
		c.RepliesEveryone = true
	case "false", "0":
	default:
		return fmt.Errorf("SMSBRIDGE_REPLIES_EVERYONE %q: want true (every teammate may add and remove saved replies) or false (admins only)", raw.repliesEveryone)
	}
	if _, err := fmt.Sscanf(raw.rate, "%g", &c.SlackChannelRate); err != nil || c.SlackChannelRate <= 0 {
		return fmt.Errorf("SMSBRIDGE_SLACK_RATE %q: want posts per second per channel, such as 1", raw.rate)
	}
	if c.Lease, err = time.ParseDuration(raw.lease); err != nil || c.Lease < time.Second {
		return fmt.Errorf("SMSBRIDGE_WORKER_LEASE %q: want a duration of at least 1s, such as 10s", raw.lease)
	}
	if n, err := strconv.Atoi(raw.workers); err != nil || n < 1 || n > 256 {
		return fmt.Errorf("SMSBRIDGE_WORKERS %q: want how many conversations one replica works at once, 1 to 256, such as 4", raw.workers)
	} else {
		c.Workers = n
	}
	// Deleting an event forgets that it was received: a redelivery of it
	// would be taken as new. Telnyx and Slack redeliver within hours, so
	// both settings keep at least a day.
	if c.KeepPayloads, err = parseKeep(raw.keepPayloads, 24*time.Hour); err != nil {
		return fmt.Errorf("SMSBRIDGE_KEEP_PAYLOADS %q: %w", raw.keepPayloads, err)
	}
	if c.KeepMessages, err = parseKeep(raw.keepMessages, 24*time.Hour); err != nil {
		return fmt.Errorf("SMSBRIDGE_KEEP_MESSAGES %q: %w", raw.keepMessages, err)
	}
	if c.Instance == "" {
		c.Instance = instanceFromHost()
	} else if !validInstance(c.Instance) {
		return fmt.Errorf("SMSBRIDGE_INSTANCE_ID %q: want 1 to 40 letters, digits, '.', '_' or '-', different for each replica (such as the pod or container name)", c.Instance)
	}
	if c.MediaAllowHosts, err = netguard.ParseAllowHosts(raw.mediaAllow); err != nil {
		return fmt.Errorf("SMSBRIDGE_MEDIA_ALLOW_HOSTS: %v (want host or host:port, comma-separated)", err)
	}
	if c.ScheduleMaxAhead, err = time.ParseDuration(raw.maxAhead); err != nil || c.ScheduleMaxAhead < bridge.TelnyxMinAhead {
		return fmt.Errorf("SMSBRIDGE_SCHEDULE_MAX_AHEAD %q: want a duration of at least %s, such as 8760h (a year)", raw.maxAhead, bridge.TelnyxMinAhead)
	}
	if c.PprofAddr != "" && !loopbackAddr(c.PprofAddr) {
		return fmt.Errorf("SMSBRIDGE_PPROF_ADDR %q: want a loopback host:port such as 127.0.0.1:6060 (profiles show the service's internals; reach them through a tunnel or exec, never a public port)", c.PprofAddr)
	}
	if c.Quiet, err = bridge.ParseQuietHours(raw.quiet); err != nil {
		return err
	}
	if c.AutoReplyEvery, err = time.ParseDuration(raw.autoReplyEvery); err != nil || c.AutoReplyEvery < time.Minute {
		return fmt.Errorf("SMSBRIDGE_AUTOREPLY_EVERY %q: want a duration of at least 1m, such as 12h", raw.autoReplyEvery)
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	return c.parseWaiting(raw)
}

// parseWaiting reads how the channel is shown what waits.
func (c *config) parseWaiting(raw rawSettings) error {
	switch raw.waitingSignal {
	case "on":
	case "off":
		c.Waiting.SignalOff = true
	default:
		return fmt.Errorf("SMSBRIDGE_WAITING_SIGNAL %q: want on (a conversation that waits again is broadcast to the channel once) or off", raw.waitingSignal)
	}
	if raw.nudgeAfter != "off" {
		d, err := time.ParseDuration(raw.nudgeAfter)
		if err != nil || d < time.Minute {
			return fmt.Errorf("SMSBRIDGE_NUDGE_AFTER %q: want a duration of at least 1m, such as 15m, or off", raw.nudgeAfter)
		}
		c.Waiting.NudgeAfter = d
	}
	if g := raw.onCallGroup; g != "" && !userGroupID.MatchString(g) {
		return fmt.Errorf("SMSBRIDGE_ONCALL_GROUP %q: want a Slack user group id such as S0123456789 (Slack → People → User groups → the group → copy its ID), not its @handle", g)
	}
	c.Waiting.OnCallGroup = raw.onCallGroup
	return nil
}

// userGroupID is the form of a Slack user group id.
var userGroupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// validInstance: an instance id is part of every lease owner (id/boot/n),
// so it may not contain "/" and must leave room for the rest.
func validInstance(id string) bool {
	if len(id) < 1 || len(id) > 40 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// instanceFromHost is the default instance id: the host name, which stays
// the same when the same machine or container restarts the service and
// differs between replicas on different hosts or containers. (The id is
// kept in the service's own database, so the data directory is implied.)
// Characters an id may not hold are replaced; a long name is shortened with
// a hash of the whole so two long names stay apart.
func instanceFromHost() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "smsbridge"
	}
	b := []byte(host)
	for i, r := range b {
		if !validInstance(string(r)) {
			b[i] = '-'
		}
	}
	id := string(b)
	if len(id) > 40 {
		sum := sha256.Sum256([]byte(host))
		id = id[:31] + "-" + hex.EncodeToString(sum[:4])
	}
	return id
}

// parseKeep reads a retention setting: a number of days ("7d"), a Go
// duration ("36h"), or "forever" (0). It must be at least least.
func parseKeep(v string, least time.Duration) (time.Duration, error) {
	if v == "forever" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("want a number of days such as 30d, a duration such as 36h, or forever")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("want a number of days such as 30d, a duration such as 36h, or forever")
		}
	}
	if d < least {
		return 0, fmt.Errorf("keep at least %v, or forever", least)
	}
	return d, nil
}

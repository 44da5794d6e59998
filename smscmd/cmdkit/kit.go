package cmdkit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// SMSAPI is the part of the Telnyx Messaging API client /sms uses: lookups
// and number settings, never sends (those go through the outbox).
// *telnyxacct.Client implements it.
type SMSAPI interface {
	GetMessage(ctx context.Context, id string) (*telnyx.Message, error)
	ListOptOutsPage(ctx context.Context, f telnyxacct.OptOutFilter, page, size int) ([]telnyxacct.OptOut, telnyxacct.PageMeta, error)
	ListNumberSettingsPage(ctx context.Context, f telnyxacct.NumberFilter, page, size int) ([]telnyxacct.NumberSettings, telnyxacct.PageMeta, error)
	ListMobileNumberSettingsPage(ctx context.Context, page, size int) ([]telnyxacct.MobileNumberSettings, telnyxacct.PageMeta, error)
	NumberSettingsByE164(ctx context.Context, e164 string) (*telnyxacct.NumberSettings, error)
	UpdateNumberSettings(ctx context.Context, id string, u telnyxacct.NumberSettingsUpdate) (*telnyxacct.NumberSettings, error)
	BulkUpdateProfiles(ctx context.Context, r telnyxacct.BulkUpdateRequest) (*telnyxacct.BulkUpdate, error)
	GetBulkUpdate(ctx context.Context, orderID string) (*telnyxacct.BulkUpdate, error)
}

// The Telnyx client is what /sms and the scheduler use.
var _ SMSAPI = (*telnyxacct.Client)(nil)

// Deps is what the /sms commands need.
type Deps struct {
	API    SMSAPI
	Bridge *bridge.Bridge
	// Outbox sends: every /sms send, group, whatsapp and compose goes
	// through it, the same way out as a thread reply.
	Outbox    *bridge.Outbound
	Scheduler *bridge.Scheduler
	// Slack reads users' time zones (users.info), opens modals and posts
	// admin notices and bulk progress.
	Slack *slack.Client
	// Routes is SLACK_CHANNEL and SLACK_ROUTES; routes stored with
	// /sms route override it. A channel sends from the number routed to it.
	Routes bridge.Routes
	// InboxChannel gets a notice of every admin change; default Routes.Default.
	InboxChannel string
	// DefaultProfileID is TELNYX_MESSAGING_PROFILE_ID (number pool,
	// alphanumeric senders).
	DefaultProfileID string
	// Region is SMSBRIDGE_DEFAULT_REGION for numbers typed without +.
	Region string
	// Responder answers button presses through their response_url.
	Responder slackin.Responder
	Log       *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// BulkPoll is how often a bulk update's progress is read; default 2s.
	BulkPoll time.Duration
	// ScheduleMaxAhead is SMSBRIDGE_SCHEDULE_MAX_AHEAD (CheckScheduleWindow).
	ScheduleMaxAhead time.Duration
	// RepliesEveryone is SMSBRIDGE_REPLIES_EVERYONE: everyone, not only
	// admins, may add and remove saved replies.
	RepliesEveryone bool
}

// Kit is what every /sms command is built from: its dependencies, the
// dispatchers it registers with, and the helpers the commands share.
type Kit struct {
	Deps
	Cmds *slackin.Commands
	In   *slackin.Interactions
}

// New fills in deps' defaults and returns the kit the /sms packages
// register their commands with.
func New(cmds *slackin.Commands, in *slackin.Interactions, deps Deps) *Kit {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Region == "" {
		deps.Region = "US"
	}
	if deps.InboxChannel == "" {
		deps.InboxChannel = deps.Routes.Default
	}
	if deps.BulkPoll <= 0 {
		deps.BulkPoll = 2 * time.Second
	}
	if deps.Responder == nil {
		deps.Responder = &slackin.HTTPResponder{}
	}
	return &Kit{Deps: deps, Cmds: cmds, In: in}
}

// --- senders and routes ---

// RoutedNumbers lists our numbers whose conversations go to channel: a
// stored route wins over SLACK_ROUTES.
// RoutedNumbers lists the numbers channel sends from: those routed to it,
// and for the default inbox our numbers not routed elsewhere.
func (s *Kit) RoutedNumbers(ctx context.Context, channel string) ([]bridge.E164, error) {
	return s.Bridge.SendersFor(ctx, channel)
}

// ResolveFrom fills in the channel's routed number when no sender was given.
func (s *Kit) ResolveFrom(ctx context.Context, o *SendOpts, channel string) error {
	if o.From != "" || o.Pool {
		if o.Pool && s.DefaultProfileID == "" {
			return slackin.Usagef("--pool needs TELNYX_MESSAGING_PROFILE_ID (the default messaging profile) to be set")
		}
		return nil
	}
	nums, err := s.RoutedNumbers(ctx, channel)
	if err != nil {
		return err
	}
	switch len(nums) {
	case 1:
		o.From, o.Kind = nums[0], SenderNumber
		return nil
	case 0:
		return slackin.Usagef("smsbridge knows no number of ours for this channel: say which to send from with --from <number>, or use --pool (an admin can route a number here with /sms route)")
	}
	return &SeveralSenders{Nums: nums}
}

// SeveralSenders is resolveFrom's answer when the channel sends from more
// than one number and none was named: the teammate picks.
type SeveralSenders struct{ Nums []bridge.E164 }

func (e *SeveralSenders) Error() string {
	list := make([]string, len(e.Nums))
	for i, n := range e.Nums {
		list[i] = slackpost.FormatNumber(n)
	}
	return fmt.Sprintf("This channel sends from several numbers (%s): pick one with --from.", strings.Join(list, ", "))
}

// LocationOf is a teammate's Slack time zone.
func (s *Kit) LocationOf(ctx context.Context, user string) *time.Location {
	if s.Slack == nil {
		return time.UTC
	}
	u, err := s.Slack.GetUserInfoContext(ctx, user)
	if err != nil {
		s.Log.Warn("users.info for time zone failed; using UTC", "err", err)
		return time.UTC
	}
	return UserLocation(u)
}

// AdminChange logs an admin change with who made it and posts it to the
// inbox channel.
func (s *Kit) AdminChange(ctx context.Context, user, what string) {
	s.Log.Info("admin change", "user", user, "change", what)
	if s.Slack == nil || s.InboxChannel == "" {
		return
	}
	text := fmt.Sprintf(":wrench: %s %s", slackpost.Mention(user), slackpost.Escape(what))
	if _, _, err := s.Slack.PostMessageContext(ctx, s.InboxChannel, slack.MsgOptionText(text, false)); err != nil {
		s.Log.Error("admin change notice failed", "err", err)
	}
}

// IsAdmin checks the admin rule for actions that are not admin commands
// as a whole (a confirmation button, a setting change).
func (s *Kit) IsAdmin(ctx context.Context, user string) (bool, error) {
	if s.Cmds.Admins == nil {
		return true, nil
	}
	return s.Cmds.Admins.Allowed(ctx, user)
}

// Respond answers a button press through its response_url.
func (s *Kit) Respond(ctx context.Context, cb *slack.InteractionCallback, msg *slack.Msg) error {
	if cb.ResponseURL == "" {
		return nil
	}
	return s.Responder.Respond(ctx, cb.ResponseURL, msg)
}

// TelnyxReason explains a Telnyx error for a teammate, in words (the
// detail is for the log).
func TelnyxReason(err error) string { return bridge.Explain(err) }

// slackReasons are Slack's error codes a teammate can act on.
var slackReasons = map[string]string{
	"trigger_expired":    "the form took too long to open; run the command again",
	"expired_trigger_id": "the form took too long to open; run the command again",
	"not_in_channel":     "smsbridge is not in that channel; invite it first",
	"channel_not_found":  "Slack does not know that channel, or smsbridge cannot see it",
	"ratelimited":        "Slack is rate limiting smsbridge; try again in a minute",
	"missing_scope":      "smsbridge's Slack app lacks a permission it needs; an admin should reinstall it from manifest.yml",
}

// SlackReason explains a failed Slack call in words; the code stays in the
// log.
func (s *Kit) SlackReason(err error) string {
	s.Log.Warn("slack call failed", "err", err)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if r, ok := slackReasons[se.Err]; ok {
			return r
		}
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return slackReasons["ratelimited"]
	}
	return "Slack did not take the request; the details are in smsbridge's log"
}

func MsgWithBlocks(text string, blocks ...slack.Block) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: slack.Blocks{BlockSet: blocks}}
}

// ShowLater shows msg to user in channel once the modal has closed.
func (s *Kit) ShowLater(ctx context.Context, channel, user string, msg *slack.Msg) {
	s.In.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		s.Show(ctx, channel, user, msg)
	})
}

// Show posts msg as an ephemeral message to user in channel.
func (s *Kit) Show(ctx context.Context, channel, user string, msg *slack.Msg) {
	if msg == nil || channel == "" {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false)}
	if len(msg.Blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(msg.Blocks.BlockSet...))
	}
	if _, err := s.Slack.PostEphemeralContext(ctx, channel, user, opts...); err != nil {
		s.Log.Warn("compose result could not be shown", "err", err)
	}
}

// SendInput is a message to send now, from a command or the compose modal.
type SendInput struct {
	// Key is unique per request (its Slack trigger id), so a repeat of
	// the same request sends nothing more.
	Key     string
	Kind    string // bridge.ConvSMS ("") or bridge.ConvWhatsApp
	Opts    SendOpts
	To      []bridge.E164
	Text    string
	User    string
	Channel string // where the command ran (for the routed number)
}

// AsUsage turns "several senders" into the usage answer of a command that
// cannot offer buttons.
func AsUsage(err error) error {
	var several *SeveralSenders
	if errors.As(err, &several) {
		return slackin.Usagef("%s", several.Error())
	}
	return err
}

// SectionsOf packs the lines of an mrkdwn text into as few sections as
// Slack's 3,000-character limit for one allows.
func SectionsOf(text string) []slack.Block {
	var out []slack.Block
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, slack.NewSectionBlock(slackpost.Mrkdwn(b.String()), nil, nil))
			b.Reset()
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if len([]rune(b.String()))+len([]rune(line)) > slackpost.MaxSectionText {
			flush()
		}
		b.WriteString(line)
	}
	flush()
	return out
}

func OrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// InputValue is the value of a modal field (a select's option, or the typed text).
func InputValue(cb *slack.InteractionCallback, block, action string) string {
	if cb.View.State == nil {
		return ""
	}
	v, ok := cb.View.State.Values[block][action]
	if !ok {
		return ""
	}
	if v.SelectedOption.Value != "" {
		return v.SelectedOption.Value
	}
	return strings.TrimSpace(v.Value)
}

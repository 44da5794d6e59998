package smscmd

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
)

// SMSAPI is the part of the Telnyx Messaging API client /sms uses: lookups
// and number settings, never sends (those go through the outbox).
// *telnyx.Client implements it.
type SMSAPI interface {
	GetMessage(ctx context.Context, id string) (*telnyx.Message, error)
	ListOptOutsPage(ctx context.Context, f telnyx.OptOutFilter, page, size int) ([]telnyx.OptOut, telnyx.PageMeta, error)
	ListNumberSettingsPage(ctx context.Context, f telnyx.NumberFilter, page, size int) ([]telnyx.NumberSettings, telnyx.PageMeta, error)
	ListMobileNumberSettingsPage(ctx context.Context, page, size int) ([]telnyx.MobileNumberSettings, telnyx.PageMeta, error)
	NumberSettingsByE164(ctx context.Context, e164 string) (*telnyx.NumberSettings, error)
	UpdateNumberSettings(ctx context.Context, id string, u telnyx.NumberSettingsUpdate) (*telnyx.NumberSettings, error)
	BulkUpdateProfiles(ctx context.Context, r telnyx.BulkUpdateRequest) (*telnyx.BulkUpdate, error)
	GetBulkUpdate(ctx context.Context, orderID string) (*telnyx.BulkUpdate, error)
}

// The Telnyx client is what /sms and the scheduler use.
var _ SMSAPI = (*telnyx.Client)(nil)

// SMSDeps is what the /sms commands need.
type SMSDeps struct {
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

type sms struct {
	SMSDeps
	cmds *slackin.Commands
	in   *slackin.Interactions
}

// RegisterSMSCommands registers every /sms subcommand on cmds and their
// buttons and modals on in. A bare /sms opens the compose modal.
func RegisterSMSCommands(cmds *slackin.Commands, in *slackin.Interactions, deps SMSDeps) {
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
	s := &sms{SMSDeps: deps, cmds: cmds, in: in}
	s.registerSend()
	s.registerSchedule()
	s.registerNumbers()
	s.registerOptOuts()
	s.registerBulk()
	s.registerRoute()
	s.registerCompose()
	s.registerReplies()
	s.registerExports()
	s.registerHours()
	if cmds.Default == "" {
		cmds.Default = "compose"
	}
}

// --- senders and routes ---

// routedNumbers lists our numbers whose conversations go to channel: a
// stored route wins over SLACK_ROUTES.
// routedNumbers lists the numbers channel sends from: those routed to it,
// and for the default inbox our numbers not routed elsewhere.
func (s *sms) routedNumbers(ctx context.Context, channel string) ([]bridge.E164, error) {
	return s.Bridge.SendersFor(ctx, channel)
}

// resolveFrom fills in the channel's routed number when no sender was given.
func (s *sms) resolveFrom(ctx context.Context, o *sendOpts, channel string) error {
	if o.from != "" || o.pool {
		if o.pool && s.DefaultProfileID == "" {
			return slackin.Usagef("--pool needs TELNYX_MESSAGING_PROFILE_ID (the default messaging profile) to be set")
		}
		return nil
	}
	nums, err := s.routedNumbers(ctx, channel)
	if err != nil {
		return err
	}
	switch len(nums) {
	case 1:
		o.from, o.kind = nums[0], SenderNumber
		return nil
	case 0:
		return slackin.Usagef("smsbridge knows no number of ours for this channel: say which to send from with --from <number>, or use --pool (an admin can route a number here with /sms route)")
	}
	return &severalSenders{nums: nums}
}

// severalSenders is resolveFrom's answer when the channel sends from more
// than one number and none was named: the teammate picks.
type severalSenders struct{ nums []bridge.E164 }

func (e *severalSenders) Error() string {
	list := make([]string, len(e.nums))
	for i, n := range e.nums {
		list[i] = slackpost.FormatNumber(n)
	}
	return fmt.Sprintf("This channel sends from several numbers (%s): pick one with --from.", strings.Join(list, ", "))
}

// userLocation is a teammate's Slack time zone.
func (s *sms) userLocation(ctx context.Context, user string) *time.Location {
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

// adminChange logs an admin change with who made it and posts it to the
// inbox channel.
func (s *sms) adminChange(ctx context.Context, user, what string) {
	s.Log.Info("admin change", "user", user, "change", what)
	if s.Slack == nil || s.InboxChannel == "" {
		return
	}
	text := fmt.Sprintf(":wrench: %s %s", slackpost.Mention(user), slackpost.Escape(what))
	if _, _, err := s.Slack.PostMessageContext(ctx, s.InboxChannel, slack.MsgOptionText(text, false)); err != nil {
		s.Log.Error("admin change notice failed", "err", err)
	}
}

// isAdmin checks the admin rule for actions that are not admin commands
// as a whole (a confirmation button, a setting change).
func (s *sms) isAdmin(ctx context.Context, user string) (bool, error) {
	if s.cmds.Admins == nil {
		return true, nil
	}
	return s.cmds.Admins.Allowed(ctx, user)
}

// respond answers a button press through its response_url.
func (s *sms) respond(ctx context.Context, cb *slack.InteractionCallback, msg *slack.Msg) error {
	if cb.ResponseURL == "" {
		return nil
	}
	return s.Responder.Respond(ctx, cb.ResponseURL, msg)
}

// telnyxReason explains a Telnyx error for a teammate, in words (the
// detail is for the log).
func telnyxReason(err error) string { return bridge.Explain(err) }

// slackReasons are Slack's error codes a teammate can act on.
var slackReasons = map[string]string{
	"trigger_expired":    "the form took too long to open; run the command again",
	"expired_trigger_id": "the form took too long to open; run the command again",
	"not_in_channel":     "smsbridge is not in that channel; invite it first",
	"channel_not_found":  "Slack does not know that channel, or smsbridge cannot see it",
	"ratelimited":        "Slack is rate limiting smsbridge; try again in a minute",
	"missing_scope":      "smsbridge's Slack app lacks a permission it needs; an admin should reinstall it from manifest.yml",
}

// slackReason explains a failed Slack call in words; the code stays in the
// log.
func (s *sms) slackReason(err error) string {
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

func msgWithBlocks(text string, blocks ...slack.Block) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: slack.Blocks{BlockSet: blocks}}
}

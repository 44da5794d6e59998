package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyx"
)

// SMSAPI is the part of the Telnyx Messaging API client /sms uses.
// *telnyx.Client implements it.
type SMSAPI interface {
	SendMessage(ctx context.Context, r telnyx.SendRequest) (*telnyx.Message, error)
	ScheduleMessage(ctx context.Context, r telnyx.SendRequest) (*telnyx.Message, error)
	SendGroupMMS(ctx context.Context, r telnyx.GroupMMSRequest) (*telnyx.Message, error)
	SendWhatsApp(ctx context.Context, r telnyx.WhatsAppRequest) (*telnyx.WhatsAppMessage, error)
	GetMessage(ctx context.Context, id string) (*telnyx.Message, error)
	CancelScheduledMessage(ctx context.Context, id string) (*telnyx.Message, error)
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
	API       SMSAPI
	Bridge    *bridge.Bridge
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
	Responder Responder
	Log       *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// BulkPoll is how often a bulk update's progress is read; default 2s.
	BulkPoll time.Duration
	// ScheduleMaxAhead is SMSBRIDGE_SCHEDULE_MAX_AHEAD (CheckScheduleWindow).
	ScheduleMaxAhead time.Duration
}

type sms struct {
	SMSDeps
	cmds *Commands
	in   *Interactions
}

// RegisterSMSCommands registers every /sms subcommand on cmds and their
// buttons and modals on in. A bare /sms opens the compose modal.
func RegisterSMSCommands(cmds *Commands, in *Interactions, deps SMSDeps) {
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
		deps.Responder = &HTTPResponder{}
	}
	s := &sms{SMSDeps: deps, cmds: cmds, in: in}
	s.registerSend()
	s.registerSchedule()
	s.registerNumbers()
	s.registerOptOuts()
	s.registerBulk()
	s.registerRoute()
	s.registerCompose()
	if cmds.Default == "" {
		cmds.Default = "compose"
	}
}

// --- senders and routes ---

// routedNumbers lists our numbers whose conversations go to channel: a
// stored route wins over SLACK_ROUTES.
func (s *sms) routedNumbers(ctx context.Context, channel string) ([]bridge.E164, error) {
	stored, err := s.Bridge.Store().Routes(ctx)
	if err != nil {
		return nil, err
	}
	effective := map[bridge.E164]string{}
	for n, ch := range s.Routes.ByNumber {
		effective[n] = ch
	}
	for _, r := range stored {
		effective[bridge.E164(r.OurNumber)] = r.Channel
	}
	var out []bridge.E164
	for n, ch := range effective {
		if ch == channel {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// resolveFrom fills in the channel's routed number when no sender was given.
func (s *sms) resolveFrom(ctx context.Context, o *sendOpts, channel string) error {
	if o.from != "" || o.pool {
		if o.pool && s.DefaultProfileID == "" {
			return Usagef("--pool needs TELNYX_MESSAGING_PROFILE_ID (the default messaging profile) to be set")
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
		return Usagef("no number is routed to this channel: say which to send from with --from <number>, or use --pool")
	}
	list := make([]string, len(nums))
	for i, n := range nums {
		list[i] = string(n)
	}
	return Usagef("several numbers are routed to this channel (%s): pick one with --from", strings.Join(list, ", "))
}

// optedOut reports whether remote is known to have opted out of texts from
// our number (in their 1:1 conversation or in the group's).
func (s *sms) optedOut(ctx context.Context, our bridge.E164, remotes []bridge.E164) (bridge.E164, bool, error) {
	st := s.Bridge.Store()
	keys := []string{bridge.RemoteKey(remotes)}
	if len(remotes) > 1 {
		for _, r := range remotes {
			keys = append(keys, string(r))
		}
	}
	for _, k := range keys {
		c, err := st.ConversationByNumbers(ctx, string(our), k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", false, err
		}
		if c.OptedOut {
			who := bridge.E164(k)
			if strings.Contains(k, ",") {
				who = remotes[0]
			}
			return who, true, nil
		}
	}
	return "", false, nil
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
	text := fmt.Sprintf(":wrench: %s %s", mention(user), Escape(what))
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

// telnyxReason explains a Telnyx error for a teammate.
func telnyxReason(err error) string {
	switch {
	case telnyx.IsOptedOut(err):
		return "the recipient has opted out (they sent STOP); Telnyx will not deliver to them"
	case telnyx.IsAmbiguous(err):
		return fmt.Sprintf("Telnyx did not answer clearly (%v): the message may or may not have been sent. Check with `/sms status` or the Telnyx portal before sending again", err)
	}
	if _, ok := telnyx.IsRateLimited(err); ok {
		return "Telnyx is rate limiting us; try again in a minute"
	}
	return err.Error()
}

func msgWithBlocks(text string, blocks ...slack.Block) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: slack.Blocks{BlockSet: blocks}}
}

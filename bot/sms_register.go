package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
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

// --- arguments ---

// slackLink matches what Slack makes of typed links, numbers and channels
// in a slash command's text: <https://x|label>, <tel:+1312…|+1 312…>, <#C1|name>.
var slackLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// unslack turns a slash command's text back into what the teammate typed:
// links to their URL (numbers to their label) and &amp; &lt; &gt; to & < >.
func unslack(s string) string {
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		g := slackLink.FindStringSubmatch(m)
		target, label := g[1], g[2]
		switch {
		case strings.HasPrefix(target, "tel:"):
			return strings.TrimPrefix(target, "tel:")
		case strings.HasPrefix(target, "mailto:") && label != "":
			return label
		case strings.HasPrefix(target, "#"), strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			return m
		}
		return target
	})
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// nextToken splits the first word (quotes group words) off s and returns
// it and the unparsed rest, so a message text keeps its own spacing.
func nextToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " \t\n")
	if s == "" {
		return "", ""
	}
	if q := s[0]; q == '"' {
		if end := strings.IndexByte(s[1:], '"'); end >= 0 {
			return s[1 : end+1], s[end+2:]
		}
	}
	if i := strings.IndexAny(s, " \t\n"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// ParseNumber normalizes a recipient phone number typed in any common form
// ("(312) 555-0123", "+44 20 7946 0958", "312.555.0123") to E.164.
func ParseNumber(s, region string) (bridge.E164, error) {
	n, err := telnyx.NormalizeE164(unslack(s), region)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number I can read (%v)", s, errors.Unwrap(err))
	}
	return bridge.E164(n), nil
}

var (
	shortCodeRe = regexp.MustCompile(`^\d{3,6}$`)
	alphaRe     = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	hasLetterRe = regexp.MustCompile(`[A-Za-z]`)
)

// Sender kinds.
const (
	SenderNumber    = "number"
	SenderShortCode = "short code"
	SenderAlpha     = "alphanumeric sender ID"
)

// ParseSender reads a --from: a phone number in any form, a short code
// (3–6 digits) or an alphanumeric sender ID (1–11 letters and digits, at
// least one letter).
func ParseSender(s, region string) (from bridge.E164, kind string, err error) {
	s = strings.TrimSpace(unslack(s))
	switch {
	case shortCodeRe.MatchString(s):
		return bridge.E164(s), SenderShortCode, nil
	case alphaRe.MatchString(s) && hasLetterRe.MatchString(s) && !strings.ContainsAny(s, "+()-."):
		return bridge.E164(s), SenderAlpha, nil
	}
	n, err := ParseNumber(s, region)
	if err != nil {
		return "", "", fmt.Errorf("--from %q is not a phone number, short code (3–6 digits) or alphanumeric sender ID (1–11 letters and digits)", s)
	}
	return n, SenderNumber, nil
}

// channelRef reads a channel argument: <#C123|name>, <#C123> or C123.
var channelRe = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$`)

func parseChannel(s string) (string, bool) {
	g := channelRe.FindStringSubmatch(strings.TrimSpace(s))
	if g == nil {
		return "", false
	}
	return g[1] + g[2], true
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

// sendOpts are the sender flags of send, group, whatsapp and schedule.
type sendOpts struct {
	from   bridge.E164
	kind   string
	pool   bool
	media  []string
	noPool bool
}

// parseFlags reads --from, --pool and --media from the front of s and
// returns the rest unparsed.
func parseFlags(s string, region string, allowPool bool) (sendOpts, string, error) {
	o := sendOpts{noPool: !allowPool}
	rest, err := o.consume(s, region)
	return o, rest, err
}

// trailingFlags reads flags written after the recipient, before the text,
// and returns the text as the teammate typed it.
func trailingFlags(o *sendOpts, text, region string) (string, error) {
	rest, err := o.consume(text, region)
	return unslack(strings.TrimSpace(rest)), err
}

func (o *sendOpts) consume(s, region string) (string, error) {
	rest := s
	for {
		tok, r := nextToken(rest)
		switch tok {
		case "--from":
			v, r2 := nextToken(r)
			if v == "" {
				return "", Usagef("--from needs a sender.")
			}
			var err error
			if o.from, o.kind, err = ParseSender(v, region); err != nil {
				return "", Usagef("%v.", err)
			}
			rest = r2
			continue
		case "--pool":
			if o.noPool {
				return "", Usagef("--pool is not available for this command.")
			}
			o.pool, rest = true, r
			continue
		case "--media":
			v, r2 := nextToken(r)
			v = unslack(v)
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				return "", Usagef("--media needs a URL, got %q.", v)
			}
			o.media, rest = append(o.media, v), r2
			continue
		}
		if strings.HasPrefix(tok, "--") {
			return "", Usagef("unknown option %s.", tok)
		}
		if o.pool && o.from != "" {
			return "", Usagef("Use either --from or --pool, not both.")
		}
		return rest, nil
	}
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

var phoneish = regexp.MustCompile(`^[+0-9().\-/]+$`)

// takeNumbers reads the recipient(s) at the front of s, where a number may
// be written with spaces ("(312) 555-0123"); several, for a group, are
// separated by commas. It takes the longest run of words that reads as
// valid numbers and returns the unparsed rest (the message text).
func takeNumbers(s, region string, multi bool) ([]bridge.E164, string, error) {
	var toks, rests []string
	for r := s; ; {
		tok, r2 := nextToken(r)
		plain := unslack(tok)
		if multi {
			plain = strings.ReplaceAll(plain, ",", "")
		}
		if tok == "" || (plain != "" && !phoneish.MatchString(plain)) {
			break
		}
		toks, rests, r = append(toks, unslack(tok)), append(rests, r2), r2
	}
	if len(toks) == 0 {
		first, _ := nextToken(s)
		if first == "" {
			return nil, "", Usagef("Missing the number to text.")
		}
		return nil, s, Usagef("%q is not a phone number I can read.", first)
	}
	for k := len(toks); k >= 1; k-- {
		parts := []string{strings.Join(toks[:k], " ")}
		if multi {
			parts = strings.Split(parts[0], ",")
		}
		var nums []bridge.E164
		ok := true
		for _, p := range parts {
			if strings.TrimSpace(p) == "" {
				continue
			}
			n, err := ParseNumber(p, region)
			if err != nil {
				ok = false
				break
			}
			if !slices.Contains(nums, n) {
				nums = append(nums, n)
			}
		}
		if ok && len(nums) > 0 {
			return nums, rests[k-1], nil
		}
	}
	_, err := ParseNumber(strings.Join(toks, " "), region)
	return nil, s, Usagef("%v.", err)
}

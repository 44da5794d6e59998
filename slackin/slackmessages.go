package slackin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackpost"
)

// ReplyIngester commits a person's Slack message as outbound work
// (bridge.Outbound).
type ReplyIngester interface {
	IngestSlack(ctx context.Context, r bridge.SlackReply) (bool, error)
}

// SlackMessages turns Events API message events into outbound work. It
// drops what is never an SMS before anything is stored: the bot's own posts
// and other bots' (bot_id, or the bot user from auth.test), and subtypes
// that are not a person writing. The bridge decides the rest (which thread,
// internal notes).
type SlackMessages struct {
	In        ReplyIngester
	BotUserID string // from auth.test
	// TeamID and EnterpriseID are the bot's workspace, from auth.test.
	TeamID, EnterpriseID string
	Log                  *slog.Logger
}

// NewSlackMessages asks auth.test who the bot is, so that its own posts
// (and file uploads, which may come without bot_id) are never texted.
//
// A Slack that does not answer at start-up (a network blip, a 5xx) is asked
// again with backoff for about a minute; a refusal (a wrong or revoked
// token: ok:false) fails at once, since waiting cannot fix it.
func NewSlackMessages(ctx context.Context, client *slack.Client, in ReplyIngester, log *slog.Logger) (*SlackMessages, error) {
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		auth, err := client.AuthTestContext(ctx)
		if err == nil {
			return &SlackMessages{In: in, BotUserID: auth.UserID, TeamID: auth.TeamID, EnterpriseID: auth.EnterpriseID, Log: log}, nil
		}
		var slackErr slack.SlackErrorResponse
		if errors.As(err, &slackErr) || attempt == 8 || ctx.Err() != nil {
			return nil, fmt.Errorf("auth.test: %w", err)
		}
		log.Warn("slack auth.test failed; trying again", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("auth.test: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// Register makes m handle "message" events on ev.
func (m *SlackMessages) Register(ev *Events) { ev.On("message", m.Handle) }

// Handle is the EventFunc for inner "message" events. It returns only after
// the reply is committed (or found to be no work), so Slack is acknowledged
// only then.
func (m *SlackMessages) Handle(ctx context.Context, ev *slackevents.EventsAPIEvent, meta EventMeta) error {
	me, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || me == nil {
		return nil
	}
	r, ok := m.reply(me)
	if !ok {
		return nil
	}
	r.EventID = meta.EventID
	r.LastDelivery = meta.RetryNum >= lastRetry
	if _, err := m.In.IngestSlack(ctx, r); err != nil {
		return fmt.Errorf("commit slack reply: %w", err)
	}
	return nil
}

// lastRetry is Slack's last redelivery of an event it was not
// acknowledged: it retries three times (X-Slack-Retry-Num 1 to 3).
const lastRetry = 3

// reply reads the message event; ok is false for what is never an SMS.
func (m *SlackMessages) reply(me *slackevents.MessageEvent) (bridge.SlackReply, bool) {
	switch me.SubType {
	case "", "file_share", "thread_broadcast":
		if m.fromBot(me.BotID, me.User) || me.Message == nil {
			return bridge.SlackReply{}, false
		}
		msg := me.Message
		r := bridge.SlackReply{Channel: me.Channel, TS: me.TimeStamp, ThreadTS: me.ThreadTimeStamp, User: me.User, Text: PlainText(me.Text),
			ParentNotOurs: msg.ParentUserId != "" && msg.ParentUserId != m.BotUserID}
		for _, f := range msg.Files {
			u := f.URLPrivateDownload
			if u == "" {
				u = f.URLPrivate
			}
			if u == "" {
				continue
			}
			r.Files = append(r.Files, bridge.SlackFile{Name: f.Name, ContentType: f.Mimetype, URL: u, Size: int64(f.Size)})
		}
		return r, true
	case "message_changed":
		msg, prev := me.Message, me.PreviousMessage
		if msg == nil || m.fromBot(msg.BotID, msg.User) || msg.SubType == "tombstone" {
			return bridge.SlackReply{}, false
		}
		// Slack also sends message_changed when it unfurls a link or
		// adds a file preview: only a change of text is an edit.
		if prev != nil && prev.Text == msg.Text {
			return bridge.SlackReply{}, false
		}
		return bridge.SlackReply{Channel: me.Channel, TS: msg.Timestamp, ThreadTS: msg.ThreadTimestamp, User: msg.User, Subtype: bridge.ReplyEdited}, true
	case "message_deleted":
		prev := me.PreviousMessage
		if prev == nil || m.fromBot(prev.BotID, prev.User) {
			return bridge.SlackReply{}, false
		}
		return bridge.SlackReply{Channel: me.Channel, TS: me.DeletedTimeStamp, ThreadTS: prev.ThreadTimestamp, User: prev.User, Subtype: bridge.ReplyDeleted}, true
	}
	return bridge.SlackReply{}, false
}

func (m *SlackMessages) fromBot(botID, user string) bool {
	return botID != "" || user == "" || (m.BotUserID != "" && user == m.BotUserID)
}

var (
	slackLink    = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	slackEntitys = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// PlainText turns Slack message formatting into what a phone should read:
// links become their URL (mailto: and tel: their address), user and
// channel mentions their label or id, and &amp; &lt; &gt; the characters.
func PlainText(s string) string {
	s = slackLink.ReplaceAllStringFunc(s, func(tok string) string {
		sub := slackLink.FindStringSubmatch(tok)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
			if label != "" {
				return target[:1] + strings.TrimPrefix(strings.TrimPrefix(label, "@"), "#")
			}
			return target
		case strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			return "@" + strings.TrimPrefix(strings.SplitN(target, "^", 2)[0], "!")
		case strings.HasPrefix(target, "mailto:"), strings.HasPrefix(target, "tel:"):
			_, addr, _ := strings.Cut(target, ":")
			return addr
		}
		return target
	})
	return slackEntitys.Replace(s)
}

// SlackFiles downloads files attached to Slack messages with the bot token.
type SlackFiles struct {
	Client *slack.Client
	// Hosts are where a file may be downloaded from (Slack's own by
	// default): the download carries the bot token.
	Hosts slackpost.SlackHosts
}

// FetchSlackFile downloads url (a url_private_download) with at most limit
// bytes. Slack answers a download it will not serve with a login page, so an
// HTML answer is an error too.
func (f *SlackFiles) FetchSlackFile(ctx context.Context, url string, limit int64) ([]byte, string, error) {
	if err := f.Hosts.Check(url); err != nil {
		return nil, "", bridge.Permanent(fmt.Errorf("the file link was not downloaded: %w", err))
	}
	w := &limitedBuffer{limit: limit}
	err := f.Client.GetFileContext(ctx, url, w)
	if errors.Is(err, errTooLarge) {
		return nil, "", bridge.Permanent(fmt.Errorf("file larger than %d bytes", limit))
	}
	if err != nil {
		var sc slack.StatusCodeError
		if errors.As(err, &sc) && sc.Code >= 400 && sc.Code < 500 && sc.Code != http.StatusTooManyRequests {
			return nil, "", bridge.Permanent(fmt.Errorf("slack file download: HTTP %d", sc.Code))
		}
		return nil, "", fmt.Errorf("slack file download: %w", err)
	}
	body := w.buf.Bytes()
	ct := http.DetectContentType(body)
	if strings.HasPrefix(ct, "text/html") {
		return nil, "", bridge.Permanent(errors.New("slack answered the file download with a web page (is the files:read scope granted?)"))
	}
	return body, ct, nil
}

var errTooLarge = errors.New("file too large")

type limitedBuffer struct {
	buf   bytes.Buffer
	limit int64
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if int64(l.buf.Len()+len(p)) > l.limit {
		return 0, errTooLarge
	}
	return l.buf.Write(p)
}

// SendAgainer commits a "Send again" (bridge.Outbound).
type SendAgainer interface {
	SendAgain(ctx context.Context, messageID uint64, user, actionTS string) error
}

// RegisterSendAgain handles the "Send again" button of ambiguous sends.
func RegisterSendAgain(in *Interactions, o SendAgainer) {
	in.OnAction(bridge.ActionSendAgain, func(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
		id, err := strconv.ParseUint(a.Value, 10, 64)
		if err != nil {
			return fmt.Errorf("send again: bad message id %q", a.Value)
		}
		return o.SendAgain(ctx, id, cb.User.ID, a.ActionTs)
	})
}

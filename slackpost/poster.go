package slackpost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/smsbridge/smsbridge/bridge"
)

// Poster posts conversation threads to Slack. It implements bridge.Poster.
type Poster struct {
	client *slack.Client
	token  string // only to redact it from errors; never logged
	log    *slog.Logger
	policy RetryPolicy
	jitter bool
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error

	// Slack allows about one message per second per channel, with short
	// bursts. A token bucket per channel (golang.org/x/time/rate) keeps us
	// under it; reservations against p.now let tests run on a fake clock.
	rateLimit rate.Limit
	rateBurst int
	mu        sync.Mutex
	limiters  map[string]*channelLimit
	budgets   Budgets // shared with replicas, when set

	workspaceURL string // for links to earlier threads; learned from auth.test when unset
}

var _ bridge.Poster = (*Poster)(nil)

// PosterOption configures a Poster.
type PosterOption func(*Poster)

// WithChannelRate sets the per-channel posting rate (default 1/s, no burst;
// with WithSharedBudgets the burst is always 1).
func WithChannelRate(limit rate.Limit, burst int) PosterOption {
	return func(p *Poster) { p.rateLimit, p.rateBurst = limit, max(burst, 1) }
}

// WithRetryPolicy bounds the retries inside one call.
func WithRetryPolicy(rp RetryPolicy) PosterOption {
	return func(p *Poster) {
		rp.Attempts = max(rp.Attempts, 1)
		p.policy = rp
	}
}

// WithClock replaces time.Now and the context-aware sleep used for backoff,
// Retry-After and rate limiting, and turns jitter off: for tests.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) PosterOption {
	return func(p *Poster) { p.now, p.sleep, p.jitter = now, sleep, false }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) PosterOption { return func(p *Poster) { p.log = l } }

// WithWorkspaceURL sets the workspace base URL ("https://acme.slack.com/")
// used in links to earlier threads; without it the poster asks auth.test once.
func WithWorkspaceURL(u string) PosterOption {
	return func(p *Poster) { p.workspaceURL = strings.TrimSuffix(u, "/") + "/" }
}

// WithRedactedToken tells a poster built with NewPoster the client's token,
// so that it can keep it out of every error it returns (slack-go sends the
// token in bodies and headers, never URLs, but a custom API URL or HTTP
// client could still quote it). NewPosterFromToken does this itself.
func WithRedactedToken(token string) PosterOption { return func(p *Poster) { p.token = token } }

// NewPoster wraps a slack-go client. Turn slack-go's own retries off (its
// default): the poster retries, and must see every failure to classify it.
func NewPoster(client *slack.Client, opts ...PosterOption) *Poster {
	p := &Poster{
		client:    client,
		log:       slog.New(slog.DiscardHandler),
		policy:    DefaultRetryPolicy,
		jitter:    true,
		now:       time.Now,
		sleep:     sleepCtx,
		rateLimit: 1,
		rateBurst: 1,
		limiters:  map[string]*channelLimit{},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// NewPosterFromToken builds the slack-go client too; apiURL is the Web API
// base ending in "/" ("" for Slack's own).
func NewPosterFromToken(token, apiURL string, opts ...PosterOption) *Poster {
	var copts []slack.Option
	if apiURL != "" {
		copts = append(copts, slack.OptionAPIURL(apiURL))
	}
	return NewPoster(slack.New(token, copts...), append([]PosterOption{WithRedactedToken(token)}, opts...)...)
}

// messageOptions are on every message: Slack must not turn names into mentions.
func messageOptions(text string, blocks []slack.Block) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(text, false), // already escaped by the renderer
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// PostHeader posts a conversation's thread parent.
func (p *Poster) PostHeader(ctx context.Context, channel string, h bridge.Header) (bridge.ThreadRef, error) {
	text, blocks := renderHeader(h, p.threadLink(ctx, h.PreviousThread))
	ts, err := p.post(ctx, "post header", channel, withMetadata(messageOptions(text, blocks), bridge.HeaderMetadata(h)))
	if err != nil {
		return bridge.ThreadRef{}, err
	}
	return bridge.ThreadRef{Channel: channel, TS: ts}, nil
}

// UpdateHeader rewrites a thread parent in place.
func (p *Poster) UpdateHeader(ctx context.Context, ref bridge.ThreadRef, h bridge.Header) error {
	text, blocks := renderHeader(h, p.threadLink(ctx, h.PreviousThread))
	opts := messageOptions(text, blocks)
	return p.retryMethod(ctx, "update header", "chat.update", func(ctx context.Context) error {
		_, _, _, err := p.client.UpdateMessageContext(ctx, ref.Channel, ref.TS, opts...)
		return err
	})
}

// PostInThread posts into parent's thread and returns the post's ts. A
// text longer than one Slack message holds (about 12,000 characters once
// escaped, 50 blocks) is posted whole as several posts in order, each
// marked as a part; the ts returned is the first's, and buttons go on the
// last.
func (p *Poster) PostInThread(ctx context.Context, parent bridge.ThreadRef, post bridge.ThreadPost) (string, error) {
	parts := splitPost(post)
	var first string
	for i, part := range parts {
		text, blocks := renderPost(part)
		opts := append(withMetadata(messageOptions(text, blocks), part.Metadata), slack.MsgOptionTS(parent.TS))
		if part.Broadcast && i == 0 {
			// "Also send to channel": the channel sees the first part.
			opts = append(opts, slack.MsgOptionBroadcast())
		}
		ts, err := p.post(ctx, "post in thread", parent.Channel, opts)
		if err != nil {
			if i > 0 {
				return first, fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
			}
			return "", err
		}
		if i == 0 {
			first = ts
		}
	}
	return first, nil
}

// maxPostText is how much escaped text one post carries: under Slack's
// practical limit for a message's text, and few enough sections (of
// maxSectionText) to stay far inside 50 blocks.
const maxPostText = 10000

// splitPost cuts a post whose escaped text would not fit one Slack message
// into parts that each do; it never cuts inside an escape.
func splitPost(post bridge.ThreadPost) []bridge.ThreadPost {
	if len([]rune(Escape(post.Text))) <= maxPostText {
		return []bridge.ThreadPost{post}
	}
	var chunks []string
	var b strings.Builder
	size := 0
	for _, r := range post.Text {
		n := len([]rune(Escape(string(r))))
		if size+n > maxPostText {
			chunks = append(chunks, b.String())
			b.Reset()
			size = 0
		}
		b.WriteRune(r)
		size += n
	}
	chunks = append(chunks, b.String())
	parts := make([]bridge.ThreadPost, len(chunks))
	for i, c := range chunks {
		part := post
		part.Text = c
		if i > 0 {
			part.Mention, part.MentionGroup, part.Metadata = "", "", nil // the first part carries them
		}
		if i < len(chunks)-1 {
			part.Actions = nil
		}
		parts[i] = part
		parts[i].Text = fmt.Sprintf("(part %d of %d) ", i+1, len(chunks)) + c
	}
	return parts
}

// post sends chat.postMessage within the channel's rate, with retries.
func (p *Poster) post(ctx context.Context, op, channel string, opts []slack.MsgOption) (string, error) {
	var ts string
	err := p.retryChannel(ctx, op, channel, func(ctx context.Context) error {
		var err error
		_, ts, err = p.client.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// UploadFile uploads f into parent's thread. The body is read once into
// memory (MMS media is small) so that a retry can send it again.
func (p *Poster) UploadFile(ctx context.Context, parent bridge.ThreadRef, f bridge.File) error {
	if f.Body == nil {
		return bridge.Permanent(errors.New("upload file: no body"))
	}
	body, err := io.ReadAll(f.Body)
	if err != nil {
		return fmt.Errorf("upload file: read body: %w", err)
	}
	if len(body) == 0 {
		return bridge.Permanent(errors.New("upload file: empty file"))
	}
	name := f.Name
	if name == "" {
		name = "attachment"
	}
	return p.retryChannel(ctx, "upload file", parent.Channel, func(ctx context.Context) error {
		_, err := p.client.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:          bytes.NewReader(body),
			FileSize:        len(body),
			Filename:        name,
			Title:           name,
			InitialComment:  Escape(f.Comment),
			Channel:         parent.Channel,
			ThreadTimestamp: parent.TS,
		})
		return err
	})
}

// React adds a reaction; one already there is success.
func (p *Poster) React(ctx context.Context, msg bridge.ThreadRef, name string) error {
	name = strings.Trim(name, ":")
	return p.retryMethod(ctx, "react", "reactions.add", func(ctx context.Context) error {
		return ignoreSlackError(p.client.AddReactionContext(ctx, name, slack.NewRefToMessage(msg.Channel, msg.TS)), "already_reacted")
	})
}

// RemoveReaction takes a reaction away; one already gone is success.
func (p *Poster) RemoveReaction(ctx context.Context, msg bridge.ThreadRef, name string) error {
	name = strings.Trim(name, ":")
	return p.retryMethod(ctx, "remove reaction", "reactions.remove", func(ctx context.Context) error {
		return ignoreSlackError(p.client.RemoveReactionContext(ctx, name, slack.NewRefToMessage(msg.Channel, msg.TS)), "no_reaction")
	})
}

func ignoreSlackError(err error, code string) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == code {
		return nil
	}
	return err
}

// threadLink is the permalink of an earlier thread, or "" for none. It is
// built from the workspace URL rather than asked for, so that a header never
// waits on, or fails for, a link.
func (p *Poster) threadLink(ctx context.Context, ref *bridge.ThreadRef) string {
	if ref == nil || ref.Channel == "" || ref.TS == "" {
		return ""
	}
	base := p.workspace(ctx)
	return base + "archives/" + ref.Channel + "/p" + strings.ReplaceAll(ref.TS, ".", "")
}

// workspace returns the workspace URL, asking auth.test the first time.
// Slack also redirects https://slack.com/archives/... to the workspace, so
// that is the fallback when auth.test fails.
func (p *Poster) workspace(ctx context.Context) string {
	p.mu.Lock()
	base := p.workspaceURL
	p.mu.Unlock()
	if base != "" {
		return base
	}
	resp, err := p.client.AuthTestContext(ctx)
	if err != nil || resp.URL == "" {
		p.log.WarnContext(ctx, "auth.test failed; linking earlier threads via slack.com", "err", p.redact(errOrEmpty(err)))
		return "https://slack.com/"
	}
	base = strings.TrimSuffix(resp.URL, "/") + "/"
	p.mu.Lock()
	p.workspaceURL = base
	p.mu.Unlock()
	return base
}

func errOrEmpty(err error) error {
	if err == nil {
		return errors.New("empty workspace url")
	}
	return err
}

// Notify shows text to user alone in channel (chat.postEphemeral), within
// the channel's rate. It implements bridge.Notifier.
func (p *Poster) Notify(ctx context.Context, channel, user, text string) error {
	collect, err := p.channelTurn(ctx, channel)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer collect()
	return p.retry(ctx, "notify", func(ctx context.Context) error {
		_, err := p.client.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(Escape(text), false),
			slack.MsgOptionParse(false), slack.MsgOptionLinkNames(false))
		return err
	})
}

var _ bridge.Notifier = (*Poster)(nil)

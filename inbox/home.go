package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

// HomeStore is the store as the App Home needs it: indexed queries, so a
// view costs the same with a hundred conversations or a hundred thousand.
type HomeStore interface {
	InboxFor(ctx context.Context, user string, limit int, resolvedSince time.Time, pages bridge.InboxPages) (*bridge.Inbox, error)
	ContactNames(ctx context.Context, numbers []string) (map[string]string, error)
}

// Home publishes the App Home tab: what waits for an answer, what is mine,
// what nobody has, what was resolved lately. It is built from the store,
// never from Slack's history, when the user opens the tab and when
// something changes for them (bridge.InboxWatcher).
type Home struct {
	st     HomeStore
	client *slack.Client
	links  *slackpost.ThreadLinks
	log    *slog.Logger
	now    func() time.Time
	// Limit is how many conversations each section lists (default 10).
	Limit int
	// ResolvedWithin is how far back "Recently resolved" looks (default 7 days).
	ResolvedWithin time.Duration

	mu      sync.Mutex
	pending map[string]*publishState // users with a publish running
	pages   map[string]bridge.InboxPages
	notices map[string]string // told once at the top of the tab (home_page.go)
	wg      sync.WaitGroup
}

// publishState coalesces a user's publishes: one runs at a time, and
// changes that arrive meanwhile cause one more, built after them.
type publishState struct{ again bool }

var _ bridge.InboxWatcher = (*Home)(nil)

// HomeOption configures a Home.
type HomeOption func(*Home)

// WithHomeClock sets the clock for "waiting for" times (tests).
func WithHomeClock(now func() time.Time) HomeOption { return func(h *Home) { h.now = now } }

// NewHome makes the App Home publisher. links makes the thread links.
func NewHome(st HomeStore, client *slack.Client, links *slackpost.ThreadLinks, log *slog.Logger, opts ...HomeOption) *Home {
	h := &Home{st: st, client: client, links: links, log: log, now: time.Now, Limit: 10,
		ResolvedWithin: 7 * 24 * time.Hour, pending: map[string]*publishState{}}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Register publishes the Home tab whenever a user opens it.
func (h *Home) Register(ev *slackin.Events) {
	ev.On("app_home_opened", func(ctx context.Context, e *slackevents.EventsAPIEvent, _ slackin.EventMeta) error {
		opened, ok := e.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		if !ok || opened.User == "" || (opened.Tab != "" && opened.Tab != "home") {
			return nil
		}
		// Slack wants its acknowledgement within 3 s; the view is not
		// durable work, so it is published after the acknowledgement.
		h.InboxChanged(ctx, opened.User)
		return nil
	})
}

// InboxChanged republishes the Home tab of each user, in the background.
// A burst of changes for one user costs at most two publishes: the one
// running and one after it that shows them all.
func (h *Home) InboxChanged(ctx context.Context, users ...string) {
	for _, u := range users {
		if u == "" {
			continue
		}
		h.mu.Lock()
		if p, ok := h.pending[u]; ok {
			p.again = true
			h.mu.Unlock()
			continue
		}
		h.pending[u] = &publishState{}
		h.wg.Add(1)
		h.mu.Unlock()
		go h.publishLoop(context.WithoutCancel(ctx), u)
	}
}

func (h *Home) publishLoop(ctx context.Context, user string) {
	defer h.wg.Done()
	for {
		pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		if err := h.Publish(pctx, user); err != nil {
			h.log.Warn("publish app home", "user", user, "err", err)
		}
		cancel()
		h.mu.Lock()
		p := h.pending[user]
		if !p.again {
			delete(h.pending, user)
			h.mu.Unlock()
			return
		}
		p.again = false
		h.mu.Unlock()
	}
}

// Wait blocks until publishes in flight are done (shutdown, tests).
func (h *Home) Wait() { h.wg.Wait() }

// Publish builds user's Home tab from the store and publishes it.
func (h *Home) Publish(ctx context.Context, user string) error {
	view, err := h.View(ctx, user)
	if err != nil {
		return err
	}
	_, err = h.client.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
	return err
}

// View builds user's Home tab: the store queries and the blocks.
func (h *Home) View(ctx context.Context, user string) (slack.HomeTabViewRequest, error) {
	now := h.now()
	// A Home tab holds at most 100 blocks: a page of each section fits.
	limit := homeRows(h.Limit)
	in, err := h.st.InboxFor(ctx, user, limit, now.Add(-h.ResolvedWithin), h.pagesOf(user))
	if err != nil {
		return slack.HomeTabViewRequest{}, fmt.Errorf("app home: %w", err)
	}
	h.keepPages(user, in)
	var nums []string
	for _, list := range [][]bridge.Conversation{in.Waiting.Rows, in.Mine.Rows, in.Unassigned.Rows, in.Resolved.Rows} {
		for _, c := range list {
			nums = append(nums, strings.Split(c.RemoteKey, ",")...)
		}
	}
	names, err := h.st.ContactNames(ctx, nums)
	if err != nil {
		return slack.HomeTabViewRequest{}, fmt.Errorf("app home: %w", err)
	}
	hv := homeView{ctx: ctx, h: h, user: user, now: now, names: names}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slackpost.Plain(":incoming_envelope: SMS inbox")),
		slack.NewContextBlock("", slackpost.Mrkdwn(fmt.Sprintf("Updated <!date^%d^{date_short_pretty} at {time}|%s>",
			now.Unix(), now.UTC().Format("2006-01-02 15:04 UTC")))),
	}
	if n := h.takeNotice(user); n != "" {
		blocks = append(blocks, slack.NewContextBlock("", slackpost.Mrkdwn(":information_source: "+n)))
	}
	for i, sec := range inboxSections(in) {
		blocks = append(blocks, hv.section(homeSections[i], sec, limit)...)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}, CallbackID: "smsbridge_home"}, nil
}

// homeView renders one Home tab.
type homeView struct {
	ctx   context.Context
	h     *Home
	user  string
	now   time.Time
	names map[string]string
}

// item is one conversation: who (contact name or number) linked to its
// thread, on which of our numbers, its state, how long it has waited, and
// its last message.
func (v homeView) item(c *bridge.Conversation) string {
	remotes := bridge.Remotes(c.RemoteKey)
	who := slackpost.FormatNumbers(remotes)
	var known []string
	for _, r := range remotes {
		if n := v.names[string(r)]; n != "" {
			known = append(known, n)
		}
	}
	if len(known) > 0 {
		who = strings.Join(known, ", ") + " · " + who
	}
	label := "*" + linkLabel(slackpost.Truncate(who, 200)) + "*"
	if c.ThreadTS != "" {
		label = "*<" + v.h.links.Link(v.ctx, c.Channel, c.ThreadTS) + "|" + linkLabel(slackpost.Truncate(who, 200)) + ">*"
	}

	var status []string
	status = append(status, "to "+slackpost.Escape(slackpost.FormatNumber(bridge.E164(c.OurNumber))))
	switch bridge.ConversationState(c.State) {
	case bridge.StateClaimed:
		if c.AssigneeID == v.user {
			status = append(status, "yours")
		} else if m := slackpost.Mention(c.AssigneeID); m != "" {
			status = append(status, "claimed by "+m)
		}
	case bridge.StateResolved:
		s := "resolved"
		if c.ResolvedAt != nil {
			s += " " + ago(v.now.Sub(*c.ResolvedAt)) + " ago"
		}
		if m := slackpost.Mention(c.ResolvedBy); m != "" {
			s += " by " + m
		}
		status = append(status, s)
	default:
		status = append(status, "unassigned")
	}
	if bridge.ConversationState(c.State) != bridge.StateResolved {
		if c.WaitingSince != nil {
			w := ":hourglass_flowing_sand: waiting " + ago(v.now.Sub(*c.WaitingSince))
			if c.WaitingCount > 1 {
				w += fmt.Sprintf(", %d new", c.WaitingCount)
			}
			status = append(status, w)
		} else if c.LastDirection == bridge.DirOutbound {
			status = append(status, "answered "+ago(v.now.Sub(c.LastActivityAt))+" ago")
		}
	}
	if c.OptedOut {
		status = append(status, ":no_entry_sign: opted out")
	}

	last := strings.Join(strings.Fields(c.LastText), " ")
	if last == "" {
		last = "(no text)"
	}
	arrow := "←"
	if c.LastDirection == bridge.DirOutbound {
		arrow = "→"
	}
	return label + "  " + strings.Join(status, " · ") + "\n" + arrow + " " + slackpost.Escape(slackpost.Truncate(last, 200))
}

// linkLabel escapes text for the label of a <url|label> link, where a "|"
// or ">" would end the label early.
func linkLabel(s string) string {
	return strings.NewReplacer("|", "¦").Replace(slackpost.Escape(s))
}

// ago says how long a duration is, the way people say it: "just now",
// "12 min", "3 h 5 min", "2 d 4 h".
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	default:
		days, h := int(d.Hours())/24, int(d.Hours())%24
		if h == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, h)
	}
}

package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

// The App Home's buttons. Each id carries its section and conversation,
// so every action_id in the view is unique (a conversation can be in two
// sections: waiting and unassigned).
const (
	homeClaim   = "home_claim_"   // + section + "_" + conversation id; value: the id
	homeResolve = "home_resolve_" // likewise
	homeOpen    = "home_open_"    // a link button to the thread
	homePage    = "home_page_"    // + section + "_prev" or "_next"; value: the offset to show
)

// maxViewBlocks is Slack's limit on a Home tab's blocks.
const maxViewBlocks = 100

// homeRows is how many conversations a section shows per page: the top
// (3 blocks) and four sections of a header, a row of two blocks each (text
// and buttons), a page line and its Previous/Next (4 + 2 a row) stay
// within maxViewBlocks.
func homeRows(limit int) int {
	most := (maxViewBlocks - 3 - 4*4) / (4 * 2)
	return min(max(limit, 1), most)
}

// homeSection is one section of the Home tab as drawn.
type homeSection struct {
	key, title, empty string
}

var homeSections = []homeSection{
	{"w", ":hourglass_flowing_sand: Waiting for an answer", "No one is waiting for an answer."},
	{"m", ":raising_hand: Mine", "You have not claimed any open conversation."},
	{"u", ":inbox_tray: Unassigned", "Every open conversation has an owner."},
	{"r", ":white_check_mark: Recently resolved", "Nothing resolved lately."},
}

// inboxSections are in's sections in homeSections' order.
func inboxSections(in *bridge.Inbox) []bridge.InboxSection {
	return []bridge.InboxSection{in.Waiting, in.Mine, in.Unassigned, in.Resolved}
}

// pageOf is where user's page of section key starts.
func pageOf(p *bridge.InboxPages, key string) *int {
	switch key {
	case "w":
		return &p.Waiting
	case "m":
		return &p.Mine
	case "u":
		return &p.Unassigned
	default:
		return &p.Resolved
	}
}

// pagesOf is the pages user looks at (the first of each until they page).
// They are kept in this process: on another replica, or after a restart,
// the Home opens at the first pages again.
func (h *Home) pagesOf(user string) bridge.InboxPages {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pages[user]
}

// keepPages records the pages user was shown (a page past the end has
// become the last page).
func (h *Home) keepPages(user string, in *bridge.Inbox) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pages == nil {
		h.pages = map[string]bridge.InboxPages{}
	}
	h.pages[user] = bridge.InboxPages{Waiting: in.Waiting.Offset, Mine: in.Mine.Offset, Unassigned: in.Unassigned.Offset, Resolved: in.Resolved.Offset}
}

// takeNotice returns (and forgets) what the Home should tell user once: a
// button of theirs that did nothing, and why.
func (h *Home) takeNotice(user string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.notices[user]
	delete(h.notices, user)
	return n
}

// Notice shows text at the top of user's Home tab (republished now): the
// Home has no thread to answer in.
func (h *Home) Notice(ctx context.Context, user, text string) {
	h.mu.Lock()
	if h.notices == nil {
		h.notices = map[string]string{}
	}
	h.notices[user] = text
	h.mu.Unlock()
	h.InboxChanged(ctx, user)
}

// onPage shows another page of one section: Previous and Next carry the
// offset to show.
func (h *Home) onPage(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	offset, err := strconv.Atoi(a.Value)
	if err != nil || offset < 0 || !h.setPage(cb.User.ID, a.ActionID, offset) {
		return fmt.Errorf("app home page button %q value %q", a.ActionID, a.Value)
	}
	h.InboxChanged(ctx, cb.User.ID)
	return nil
}

// setPage moves user's page of the section a paging button names to
// offset; false when the button names no section.
func (h *Home) setPage(user, actionID string, offset int) bool {
	key, _, ok := strings.Cut(strings.TrimPrefix(actionID, homePage), "_")
	if !ok {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pages == nil {
		h.pages = map[string]bridge.InboxPages{}
	}
	p := h.pages[user]
	*pageOf(&p, key) = offset
	h.pages[user] = p
	return true
}

// RegisterHomeActions handles the App Home's buttons: Claim and Resolve
// through the same inbox operations as the thread header's, a link to the
// thread (Slack opens it; the action needs only its acknowledgement), and
// paging. A Claim or Resolve that did nothing is told at the top of the
// Home tab.
func RegisterHomeActions(in *slackin.Interactions, ops InboxOps, home *Home, log *slog.Logger) {
	a := &inboxActions{ops: ops, home: home, log: log}
	in.OnActionPrefix(homeClaim, a.handle(slackpost.ActionClaim))
	in.OnActionPrefix(homeResolve, a.handle(slackpost.ActionResolve))
	in.OnActionPrefix(homeOpen, func(context.Context, *slack.InteractionCallback, *slack.BlockAction) error { return nil })
	in.OnActionPrefix(homePage, home.onPage)
}

// section draws one section: its title with its count, a page of rows
// (text and buttons), and the page line with Previous / Next.
func (v homeView) section(s homeSection, sec bridge.InboxSection, limit int) []slack.Block {
	title := fmt.Sprintf("%s (%d)", s.title, sec.Total)
	blocks := []slack.Block{slack.NewHeaderBlock(slackpost.Plain(title))}
	if len(sec.Rows) == 0 {
		return append(blocks, slack.NewContextBlock("", slackpost.Mrkdwn("_"+s.empty+"_")))
	}
	for i := range sec.Rows {
		c := &sec.Rows[i]
		blocks = append(blocks, slack.NewSectionBlock(slackpost.Mrkdwn(v.item(c)), nil, nil))
		if b := v.rowButtons(s.key, c); b != nil {
			blocks = append(blocks, b)
		}
	}
	if sec.Total <= int64(limit) && sec.Offset == 0 {
		return blocks
	}
	line := fmt.Sprintf("%d–%d of %d", sec.Offset+1, sec.Offset+len(sec.Rows), sec.Total)
	blocks = append(blocks, slack.NewContextBlock("", slackpost.Mrkdwn(line)))
	var nav []slack.BlockElement
	if sec.Offset > 0 {
		nav = append(nav, slack.NewButtonBlockElement(homePage+s.key+"_prev", strconv.Itoa(max(sec.Offset-limit, 0)), slackpost.Plain("Previous")))
	}
	if sec.More() {
		nav = append(nav, slack.NewButtonBlockElement(homePage+s.key+"_next", strconv.Itoa(sec.Offset+limit), slackpost.Plain("Next")))
	}
	return append(blocks, slack.NewActionBlock("home_nav_"+s.key, nav...))
}

// rowButtons are a row's Claim (when open), Resolve (unless resolved) and
// Open thread (a link); nil when there are none.
func (v homeView) rowButtons(key string, c *bridge.Conversation) slack.Block {
	id := strconv.FormatUint(c.ID, 10)
	suffix := key + "_" + id
	var elems []slack.BlockElement
	if bridge.ConversationState(c.State) == bridge.StateOpen {
		elems = append(elems, slack.NewButtonBlockElement(homeClaim+suffix, id, slackpost.Plain("Claim")).WithStyle(slack.StylePrimary))
	}
	if bridge.ConversationState(c.State) != bridge.StateResolved {
		elems = append(elems, slack.NewButtonBlockElement(homeResolve+suffix, id, slackpost.Plain("Resolve")))
	}
	if c.ThreadTS != "" {
		open := slack.NewButtonBlockElement(homeOpen+suffix, id, slackpost.Plain("Open thread"))
		open.URL = v.h.links.Link(v.ctx, c.Channel, c.ThreadTS)
		elems = append(elems, open)
	}
	if len(elems) == 0 {
		return nil
	}
	return slack.NewActionBlock("home_row_"+suffix, elems...)
}

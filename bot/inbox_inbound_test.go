package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/store"
)

// threadOf waits for the conversation with remote to have a thread.
func (e *inboxEnv) threadOf(remote string) *store.Conversation {
	e.t.Helper()
	var c *store.Conversation
	e.srv.WaitFor(func() bool {
		got, err := e.st.ConversationByNumbers(e.t.Context(), store.KindSMS, ourNumber, remote)
		if err == nil && got.ThreadTS != "" {
			c = got
			return true
		}
		return false
	}, 5*time.Second)
	return c
}

// handled waits until the bridge has finished with an inbound text: its
// last step stores it as the conversation's last message.
func (e *inboxEnv) handled(remote, text string) {
	e.t.Helper()
	e.srv.WaitFor(func() bool {
		c, err := e.st.ConversationByNumbers(e.t.Context(), store.KindSMS, ourNumber, remote)
		return err == nil && c.LastText == text && c.LastDirection == store.Inbound
	}, 5*time.Second)
}

// idle waits until no stored work is pending.
func (e *inboxEnv) idle() {
	e.t.Helper()
	settleStore(e.t, e.st, 5*time.Second)
}

func (e *inboxEnv) waitReplies(c *store.Conversation, n int) []recorded.Message {
	e.t.Helper()
	e.srv.WaitFor(func() bool { return len(e.srv.ThreadReplies(c.Channel, c.ThreadTS)) >= n }, 5*time.Second)
	return e.srv.ThreadReplies(c.Channel, c.ThreadTS)
}

func TestNewTextOnClaimedConversationMentionsOnlyTheAssignee(t *testing.T) {
	e := newInboxEnv(t)
	e.runEngine()
	e.text("e1", "+13125550123", "hi")
	c := e.threadOf("+13125550123")
	e.handled("+13125550123", "hi")
	e.press(userAna, slackpost.ActionClaim, c, "") // "hi" rides in the header; the note is the first reply

	e.text("e2", "+13125550123", "are you there? <!channel>")
	replies := e.waitReplies(c, 2)

	last := replies[1]
	if !strings.HasPrefix(last.Text, "<@UANA> ") || !strings.Contains(last.Text, "are you there? &lt;!channel&gt;") {
		t.Fatalf("text in thread: %q", last.Text)
	}
	if strings.Contains(last.Text, "UBEN") || strings.Count(last.Text, "<@") != 1 {
		t.Errorf("someone else was mentioned: %q", last.Text)
	}
	// Ana's App Home shows the new text as waiting in her section.
	e.srv.WaitFor(func() bool {
		v, ok := e.srv.HomeView(userAna)
		return ok && strings.Contains(string(v.JSON), "are you there?")
	}, 5*time.Second)
	e.home.Wait()
	if m := section(e.homeSections(userAna), "Mine"); len(m) != 1 || !strings.Contains(m[0], "waiting") {
		t.Errorf("Ana's Mine: %q", m)
	}
}

func TestNewTextReopensAResolvedConversationAndSaysSo(t *testing.T) {
	e := newInboxEnv(t)
	e.runEngine()
	e.text("e1", "+13125550123", "hi")
	c := e.threadOf("+13125550123")
	e.handled("+13125550123", "hi")
	e.press(userAna, slackpost.ActionResolve, c, "")
	updates := e.header(c).Updates

	e.text("e2", "+13125550123", "one more thing")
	replies := e.waitReplies(c, 3) // "hi" rides in the header: the resolve note, the text, the reopening

	if replies[1].Text != "one more thing" || replies[2].Text != "Reopened by a new text." {
		t.Fatalf("replies: %q, %q", replies[1].Text, replies[2].Text)
	}
	e.srv.WaitFor(func() bool { return e.header(c).Updates > updates }, 5*time.Second)
	h := e.header(c)
	if !strings.Contains(h.BlockText(), "Open") || strings.Contains(h.BlockText(), "Resolved") {
		t.Errorf("header: %s", h.BlockText())
	}
	if c := e.load(c.ID); c.State != store.StateOpen || c.ResolvedBy != "" {
		t.Errorf("stored: %q resolved by %q", c.State, c.ResolvedBy)
	}
}

func TestTextAfterLongSilenceStartsNewThreadLinkedToTheOld(t *testing.T) {
	e := newInboxEnv(t)
	e.runEngine()
	e.command(userAna, "contact +13125550123 Ana Lopez")
	e.text("e1", "+13125550123", "hi")
	old := e.threadOf("+13125550123")
	e.handled("+13125550123", "hi")
	// "hi"'s event must be finished before time jumps 31 days: a jump
	// while it runs would make its lane's lease look long expired, and
	// another worker take the lane over mid-event.
	e.idle()

	e.clock.Advance(31 * 24 * time.Hour)
	e.text("e2", "+13125550123", "remember me?")
	var cur *store.Conversation
	e.srv.WaitFor(func() bool {
		c, _ := e.st.ConversationByNumbers(t.Context(), store.KindSMS, ourNumber, "+13125550123")
		if c == nil || c.ThreadTS == old.ThreadTS {
			return false
		}
		if h, ok := e.srv.Message(c.Channel, c.ThreadTS); ok && strings.Contains(h.BlockText(), "remember me?") {
			cur = c
			return true
		}
		return false
	}, 5*time.Second)

	headers := e.srv.Messages(inboxChannel)
	if len(headers) != 2 || headers[1].TS != cur.ThreadTS {
		t.Fatalf("channel has %d top-level messages", len(headers))
	}
	h := headers[1].BlockText()
	if !strings.Contains(h, "Continues <"+fakeslack.Permalink(old.Channel, old.ThreadTS)+"|an earlier thread>") || !strings.Contains(h, "Ana Lopez") {
		t.Errorf("new header: %s", h)
	}
	if r := e.srv.ThreadReplies(cur.Channel, cur.ThreadTS); len(r) != 0 {
		t.Errorf("the text rides in the new header; the new thread has replies %+v", r)
	}
	oldReplies := e.waitReplies(old, 1)
	if !strings.Contains(oldReplies[0].Text, "continues in a new thread after 30 days of silence") {
		t.Errorf("old thread's last note: %q", oldReplies[0].Text)
	}
}

func TestNamedNumberTextingFirstGetsHeaderWithTheName(t *testing.T) {
	e := newInboxEnv(t)
	e.runEngine()
	e.command(userAna, `contact +13125550123 "Ana Lopez"`)

	e.text("e1", "+13125550123", "hi")
	c := e.threadOf("+13125550123")

	h := e.header(c)
	if !strings.Contains(h.BlockText(), "*Contact*\nAna Lopez") || !strings.Contains(h.Text, "Ana Lopez (+1 312-555-0123)") {
		t.Errorf("header: %s / %s", h.Text, h.BlockText())
	}
}

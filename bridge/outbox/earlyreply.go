package outbox

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// A reply can come before its thread is stored. Slack shows a header to the
// channel the moment it is posted, and the bridge stores the header's ts
// only when chat.postMessage has answered (bridge's openThread), so a
// teammate quick enough, or a store slow enough, sends a reply into a
// thread the store does not know yet. Taken for a thread of some other
// message, it would be dropped without a word.

// RecentThread is how young a thread must be, by Slack's own clock (the
// reply's ts against its thread's), for an unknown one to be a header that
// may still be being stored.
const RecentThread = 2 * time.Minute

// ErrThreadNotStored refuses a reply whose young thread is still unknown
// after ThreadWait: Slack delivers a refused event again (after about a
// minute, then five), by which time the header's ts is stored.
var ErrThreadNotStored = errors.New("the reply's thread is not stored yet; Slack will deliver it again")

// conversationOfThread is the conversation whose thread r is in: its
// current thread, or (a new reply only) one of its earlier threads, with
// r.OldThread set. A reply in a thread that may be a header still being
// stored waits up to ThreadWait for it.
func (o *Outbound) conversationOfThread(ctx context.Context, r *SlackReply) (*store.Conversation, error) {
	conv, err := o.findThread(ctx, r)
	if !errors.Is(err, store.ErrNotFound) || !mayBeStoring(r) {
		return conv, err
	}
	o.log.Info(waitingLog, "channel", r.Channel, "thread_ts", r.ThreadTS, "ts", r.TS)
	conv, found, err := domain.Await(ctx, o.cfg.ThreadWait, func(ctx context.Context) (*store.Conversation, bool, error) {
		c, err := o.findThread(ctx, r)
		if errors.Is(err, store.ErrNotFound) {
			return nil, false, nil
		}
		return c, err == nil, err
	})
	if found || err != nil {
		return conv, err
	}
	if r.LastDelivery {
		// Slack will not ask again: the thread is no conversation's (a
		// header orphaned by a crash, or another post of the bot's).
		// Tell the teammate rather than drop the reply in silence.
		o.log.Warn("reply's thread is not a conversation's after Slack's last delivery; told in the thread", "channel", r.Channel, "thread_ts", r.ThreadTS, "ts", r.TS)
		thread := domain.ThreadRef{Channel: r.Channel, TS: r.ThreadTS}
		if _, err := o.poster().PostInThread(ctx, thread, domain.ThreadPost{Kind: domain.KindError, Text: NotInConversation}); err != nil {
			return nil, err
		}
		return nil, store.ErrNotFound
	}
	o.log.Warn("reply's thread is still not stored; refused so that Slack delivers it again", "channel", r.Channel, "thread_ts", r.ThreadTS, "ts", r.TS)
	return nil, ErrThreadNotStored
}

// NotInConversation is what a reply in a thread that is no conversation's
// is told on Slack's last delivery.
const NotInConversation = "Not sent: this thread is not a conversation's, so a reply here goes to no phone. Reply in the conversation's thread, or use /sms send."

const waitingLog = "reply came before its thread was stored; waiting for it"

func (o *Outbound) findThread(ctx context.Context, r *SlackReply) (*store.Conversation, error) {
	conv, err := o.st().ConversationByThread(ctx, r.Channel, r.ThreadTS)
	if errors.Is(err, store.ErrNotFound) && r.Subtype == "" {
		conv, err = o.st().ConversationByPrevThread(ctx, r.Channel, r.ThreadTS)
		r.OldThread = err == nil
	}
	return conv, err
}

// mayBeStoring reports whether r's unknown thread may be a header being
// stored: a new reply (an edit or deletion follows a reply that was found
// or refused already), under a message Slack does not say is someone
// else's, and at most RecentThread younger than its thread.
func mayBeStoring(r *SlackReply) bool {
	if r.Subtype != "" || r.ParentNotOurs {
		return false
	}
	reply, err1 := strconv.ParseFloat(r.TS, 64)
	thread, err2 := strconv.ParseFloat(r.ThreadTS, 64)
	age := time.Duration((reply - thread) * float64(time.Second))
	return err1 == nil && err2 == nil && age >= 0 && age <= RecentThread
}

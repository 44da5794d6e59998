package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Ids in one place: every lane and every dedupe key the bridge builds, one
// function each, so that two places can never spell the same key two ways.
// Stored work names them: a change would orphan it (TestLanesAndKeysKeepTheirStoredForm).

// --- lanes: the order work is done in ---

// ConversationLane is the lane of the SMS conversation of our number with
// remotes.
func ConversationLane(our E164, remotes []E164) string {
	return KindLane(store.KindSMS, our, remotes)
}

// KindLane is the lane of the conversation of kind (store.KindSMS or
// store.KindWhatsApp) of our number with remotes. SMS lanes keep the form
// they had before conversations had a kind, so stored work still matches.
func KindLane(kind string, our E164, remotes []E164) string {
	if kind == store.KindWhatsApp {
		return "wa:" + string(our) + "|" + RemoteKey(remotes)
	}
	return "conv:" + string(our) + "|" + RemoteKey(remotes)
}

// LaneOf is c's lane.
func LaneOf(c *store.Conversation) string {
	return KindLane(c.Kind, E164(c.OurNumber), Remotes(c.RemoteKey))
}

// PoolLane orders the pool sends to one set of recipients: their
// conversation is known only once Telnyx has picked the number.
func PoolLane(profile string, to []E164) string { return "pool:" + profile + "|" + RemoteKey(to) }

// ClickLane is a link click's own lane: clicks need no order.
func ClickLane(messageID string) string { return "click:" + messageID }

// --- dedupe keys: events and outbox entries ---

// ReplyKey is the outbox key of a thread reply: its Slack message.
func ReplyKey(channel, ts string) string { return channel + ":" + ts }

// ReplyEventKey dedupes a Slack message event that came without an
// event id (Socket Mode replays, tests): its message and subtype.
func ReplyEventKey(channel, ts, subtype string) string {
	return "msg:" + ReplyKey(channel, ts) + ":" + subtype
}

// SendAgainKey dedupes a press of Send again (one per press).
func SendAgainKey(messageID uint64, actionTS string) string {
	return fmt.Sprintf("again:%d:%s", messageID, actionTS)
}

// SendKey is the event key, and the outbox key, of a Send.
func SendKey(requestKey string) string { return SendKeyPrefix + requestKey }

// AutoReplyKey is the request key of the auto-reply an inbound message
// (its Telnyx id) earned; its outbox key is store.AutoReplyKeyPrefix + id.
func AutoReplyKey(telnyxID string) string { return "autoreply:" + telnyxID }

// SendKeyPrefix starts the outbox key of every Send; a thread reply's key
// is its Slack channel:ts.
const SendKeyPrefix = "send:"

// IsSendKey reports whether an outbox entry came from a Send (its media
// are URLs Telnyx fetches itself) rather than a thread reply (Slack files
// smsbridge serves).
func IsSendKey(key *string) bool { return key != nil && strings.HasPrefix(*key, SendKeyPrefix) }

// SentPostKey dedupes the thread post of a message Telnyx accepted.
func SentPostKey(telnyxID string) string { return "sent:" + telnyxID }

// NoteKey dedupes a note queued with PostNote.
func NoteKey(key string) string { return "note:" + key }

// ScheduledNoteKey names one note about a scheduled message (what: the
// occasion, e.g. "scheduled", "cancelled"), posted once.
func ScheduledNoteKey(id uint64, what string) string { return fmt.Sprintf("sched:%d:%s", id, what) }

// HandoffKey dedupes one attempt to hand a scheduled message to Telnyx.
func HandoffKey(id uint64, attempt int) string { return fmt.Sprintf("handoff:%d:%d", id, attempt) }

// NudgeKey dedupes the one nudge of a waiting spell: the conversation and
// when the spell began.
func NudgeKey(convID uint64, since time.Time) string {
	return fmt.Sprintf("nudge:%d:%d", convID, since.UnixMicro())
}

// --- budget holders: who booked a turn in a shared budget ---

// LaneHolder books a channel's turn for an inbound lane (coalescing).
func LaneHolder(lane string) string { return "lane:" + lane }

// MessageHolder books a sender's turn for an outbox entry.
func MessageHolder(id uint64) string { return fmt.Sprintf("msg:%d", id) }

// ScheduledHolder books a sender's turn for a scheduled message's hand-off.
func ScheduledHolder(id uint64) string { return fmt.Sprintf("sched:%d", id) }

// --- Send request keys: what makes one Slack action one Send ---

// ModalSendKey is the request key of a Send from a modal (compose, the
// thread's reply modal): its view, submitted once.
func ModalSendKey(viewID string) string { return "view:" + viewID }

// PickedSendKey is the request key of a Send whose sender a teammate
// picked ("Send from …"): the pick's trigger.
func PickedSendKey(triggerID string) string { return "pick:" + triggerID }

// QuietSendKey is the request key of a Send confirmed into quiet hours:
// the key of the Send it confirms.
func QuietSendKey(key string) string { return "quiet:" + key }

// AnonymousSendKey is the request key of a Send that came with no trigger
// to recognise a repeat by: random, so each is its own.
func AnonymousSendKey(random string) string { return "anon:" + random }

package bridge

import (
	"fmt"
	"strings"

	"github.com/smsbridge/smsbridge/bridge/conv"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Ids in one place: the phone number type, and every lane and every
// dedupe key the bridge builds, one function each, so that two places can
// never spell the same key two ways.

// The phone number type and the stored form of a remote set are package
// conv's (the bottom of the bridge, which the clock uses too).
type E164 = conv.E164

// ErrNotE164 is what ParseE164 refuses.
var ErrNotE164 = conv.ErrNotE164

var (
	ParseE164 = conv.ParseE164 // checks that s is a number in E.164 form
	RemoteKey = conv.RemoteKey // the stored form of a remote set: sorted, comma-joined
	Remotes   = conv.Remotes   // splits a RemoteKey
)

// --- lanes: the order work is done in ---

// telnyxLane puts every event of a conversation in the conversation's lane,
// so they are handled in the order received.
func telnyxLane(ev *telnyxhook.Event) string {
	if ev.Click != nil {
		return clickLane(ev.Click.MessageID)
	}
	if ev.Message == nil {
		return ""
	}
	our, remotes := parties(ev.Message)
	if our == "" || len(remotes) == 0 {
		return ""
	}
	return KindLane(messageKind(ev.Message), our, remotes)
}

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

// LaneOf is conv's lane.
func LaneOf(conv *store.Conversation) string {
	return KindLane(conv.Kind, E164(conv.OurNumber), Remotes(conv.RemoteKey))
}

// poolLane orders the pool sends to one set of recipients: their
// conversation is known only once Telnyx has picked the number.
func poolLane(profile string, to []E164) string { return "pool:" + profile + "|" + RemoteKey(to) }

// clickLane is a link click's own lane: clicks need no order.
func clickLane(messageID string) string { return "click:" + messageID }

// --- dedupe keys: events and outbox entries ---

// replyKey is the outbox key of a thread reply: its Slack message.
func replyKey(channel, ts string) string { return channel + ":" + ts }

// replyEventKey dedupes a Slack message event that came without an
// event id (Socket Mode replays, tests): its message and subtype.
func replyEventKey(channel, ts, subtype string) string {
	return "msg:" + replyKey(channel, ts) + ":" + subtype
}

// sendAgainKey dedupes a press of Send again (one per press).
func sendAgainKey(messageID uint64, actionTS string) string {
	return fmt.Sprintf("again:%d:%s", messageID, actionTS)
}

// sendKey is the event key, and the outbox key, of a Send.
func sendKey(requestKey string) string { return sendKeyPrefix + requestKey }

// autoReplyKey is the request key of the auto-reply an inbound message
// (its Telnyx id) earned; its outbox key is store.AutoReplyKeyPrefix + id.
func autoReplyKey(telnyxID string) string { return "autoreply:" + telnyxID }

// sendKeyPrefix starts the outbox key of every Send; a thread reply's key
// is its Slack channel:ts.
const sendKeyPrefix = "send:"

// isSendKey reports whether an outbox entry came from a Send (its media
// are URLs Telnyx fetches itself) rather than a thread reply (Slack files
// smsbridge serves).
func isSendKey(key *string) bool { return key != nil && strings.HasPrefix(*key, sendKeyPrefix) }

// sentPostKey dedupes the thread post of a message Telnyx accepted.
func sentPostKey(telnyxID string) string { return "sent:" + telnyxID }

// noteKey dedupes a note queued with PostNote.
func noteKey(key string) string { return "note:" + key }

// scheduledNoteKey names one note about a scheduled message (what: the
// occasion, e.g. "scheduled", "cancelled"), posted once.
func scheduledNoteKey(id uint64, what string) string { return fmt.Sprintf("sched:%d:%s", id, what) }

// handoffKey dedupes one attempt to hand a scheduled message to Telnyx.
func handoffKey(id uint64, attempt int) string { return fmt.Sprintf("handoff:%d:%d", id, attempt) }

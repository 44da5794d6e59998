package domain

import (
	"context"
	"io"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// ThreadRef names a Slack message: the channel and its ts. For a
// conversation's thread it is the thread's parent (the header).
type ThreadRef struct {
	Channel string
	TS      string
}

// What a conversation speaks (Header.Kind): the store's kinds.
const (
	ConvSMS      = store.KindSMS
	ConvWhatsApp = store.KindWhatsApp
)

// ConversationState is where a conversation stands in the shared inbox.
type ConversationState string

// The states are the store's; this type is how the domain and the Slack
// side name them.
const (
	StateOpen     = ConversationState(store.StateOpen)
	StateClaimed  = ConversationState(store.StateClaimed)
	StateResolved = ConversationState(store.StateResolved)
)

// Header is what a conversation's thread parent shows. The poster renders it;
// the bridge decides what it says.
type Header struct {
	ConversationID uint64
	Kind           string // store.KindSMS or store.KindWhatsApp: how it is answered
	OurNumber      E164
	Remotes        []E164 // one for 1:1, several for group MMS
	ContactName    string
	State          ConversationState
	AssigneeID     string // Slack user id when claimed
	ResolvedBy     string
	ResolvedAt     time.Time
	OptedOut       bool
	OptOutKeyword  string
	PreviousThread *ThreadRef // set when this thread continues an older one
	// TheirTime is the contact's local time when the header was made
	// ("their time 9:14 pm (America/Chicago)"); "" for a group or a
	// number whose zone cannot be told (theirclock.go).
	TheirTime string
	// WaitingSince is when the conversation's unanswered texts began (zero
	// when nobody waits), WaitingNew how many there are, AsOf the time the
	// header was made, from which WaitingText tells the age.
	WaitingSince time.Time
	WaitingNew   int
	AsOf         time.Time
	// Texts are the conversation's first inbound texts, which ride in its
	// header post instead of posts of their own (coalescing, bridge/inbound/coalesce.go);
	// the sender of each is named in a group.
	Texts []InboundText
}

// InboundText is one text from a phone in a post that carries several
// (a header's first texts, or texts that waited for the channel's turn):
// each keeps its sender (shown in groups), its time and its place.
type InboundText struct {
	From E164
	At   time.Time
	Text string
}

// NoteKind tells the poster how to present a thread post.
type NoteKind string

const (
	KindInbound  NoteKind = "inbound"  // a text from a phone
	KindOutbound NoteKind = "outbound" // a confirmation of a text we sent
	KindNote     NoteKind = "note"     // a system note (opt-out, link click, state change)
	KindError    NoteKind = "error"    // a failure the team must see
)

// ThreadPost is one post in a conversation's thread. Text is the raw SMS or
// note text: the poster escapes it so that nothing in it can ping anyone.
type ThreadPost struct {
	Kind    NoteKind
	From    E164 // sender of an inbound text (group MMS shows who wrote)
	Text    string
	Mention string // a Slack user id to mention (claimed conversations); added by the poster, not escaped
	// MentionGroup is a Slack user group id (S…) to mention, as
	// <!subteam^ID>: the on-call group a nudge reaches.
	MentionGroup string
	// Broadcast also shows the post in the channel (Slack's "also send to
	// channel", reply_broadcast): the one signal of a waiting spell.
	Broadcast bool
	// Actions are buttons on the post, e.g. "retry send" for an ambiguous failure.
	Actions []Action
	// Metadata, when set, is sent as the post's Slack message metadata
	// (metadata.go).
	Metadata *Metadata
	// Texts, when set, are several inbound texts posted as one, in order
	// (Text is then unused); ShowFrom says to name each one's sender.
	Texts    []InboundText
	ShowFrom bool
}

// Action is a button on a post: the bot turns it into a Block Kit button.
type Action struct {
	ID    string // action_id
	Label string
	Value string
	Style string // "", "primary" or "danger"
}

// File is a file to upload into a thread.
type File struct {
	Name        string
	ContentType string
	Size        int64
	Body        io.Reader
	Comment     string
}

// Poster is the chat side as the bridge needs it. slackpost.Poster implements it
// with slack-go; tests use the fake Slack server through the real one.
type Poster interface {
	// PostHeader posts a conversation's thread parent and returns its ref.
	PostHeader(ctx context.Context, channel string, h Header) (ThreadRef, error)
	// UpdateHeader rewrites the thread parent in place (chat.update).
	UpdateHeader(ctx context.Context, ref ThreadRef, h Header) error
	// PostInThread posts into the thread of parent and returns the new post's ts.
	PostInThread(ctx context.Context, parent ThreadRef, p ThreadPost) (string, error)
	// UploadFile uploads f into the thread of parent.
	UploadFile(ctx context.Context, parent ThreadRef, f File) error
	// React adds a reaction to a message; RemoveReaction takes one away.
	// Neither fails when the reaction is already there or already gone.
	React(ctx context.Context, msg ThreadRef, name string) error
	RemoveReaction(ctx context.Context, msg ThreadRef, name string) error
}

// MediaFetcher downloads inbound MMS media from Telnyx's temporary URLs.
type MediaFetcher interface {
	// FetchMedia returns the body (at most limit bytes, else an error) and
	// its content type.
	FetchMedia(ctx context.Context, url string, limit int64) (body []byte, contentType string, err error)
}

// Event sources in the store.
const (
	SourceTelnyx = "telnyx"
	SourceSlack  = "slack"
)

// HeaderOf is what a conversation's thread header shows.
func HeaderOf(c *store.Conversation) Header {
	h := Header{
		ConversationID: c.ID,
		Kind:           OrDefault(c.Kind, store.KindSMS),
		OurNumber:      E164(c.OurNumber),
		Remotes:        Remotes(c.RemoteKey),
		State:          ConversationState(c.State),
		AssigneeID:     c.AssigneeID,
		ResolvedBy:     c.ResolvedBy,
		OptedOut:       c.OptedOut,
		OptOutKeyword:  c.OptOutKeyword,
	}
	if c.ResolvedAt != nil {
		h.ResolvedAt = *c.ResolvedAt
	}
	if c.PrevThreadTS != "" {
		h.PreviousThread = &ThreadRef{Channel: c.PrevChannel, TS: c.PrevThreadTS}
	}
	if c.WaitingSince != nil {
		h.WaitingSince, h.WaitingNew = *c.WaitingSince, c.WaitingCount
	}
	return h
}

// CurrentThread is the conversation's current thread (its header); ok is
// false before its first post. (store.Thread is every thread it has had.)
func CurrentThread(c *store.Conversation) (ThreadRef, bool) {
	return ThreadRef{Channel: c.Channel, TS: c.ThreadTS}, c.ThreadTS != ""
}

// UserNamer turns a Slack user id into the name notes show. Notes are
// escaped text, so naming people there, rather than mentioning them, keeps
// a claim or a resolve from pinging anyone.
type UserNamer interface {
	UserName(ctx context.Context, userID string) string
}

// Work the bridge gives itself: a post into a conversation's thread, queued
// in the conversation's lane so it is ordered with the inbound texts and
// the thread is created once even when a first text arrives at the same
// moment (invariants 3 and 4).
const (
	SourceBridge    = "bridge"
	EventThreadPost = "thread.post"
)

// ThreadPostWork is the payload of an EventThreadPost.
type ThreadPostWork struct {
	Kind    string `json:",omitempty"` // "" is SMS
	Our     E164
	Remotes []E164
	Post    ThreadPost
	// TelnyxID names the outbound message the post confirms: its Slack ts
	// is recorded, and a retry does not post twice.
	TelnyxID string `json:",omitempty"`
}

package inbound

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/pace"
	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxhook"
)

// Coalescing (issue 12). Slack takes about one post a second per channel,
// and a campaign's replies come by the hundred: a post per text would
// queue for minutes. So an inbound text first takes its turn in the
// channel's budget (in the store, shared by replicas). With the turn free
// (light load) it posts at once, alone. Otherwise its lane waits in the
// store for the turn booked for it, and the texts that reach the
// conversation meanwhile queue behind it in the lane; when the turn comes,
// the text and those behind it go as one post, each with its sender (in
// a group), its time and its place. A new conversation's first texts ride
// in its header post, so under a burst a conversation costs one post.
//
// Each message keeps the ts of the post it went in (link clicks and the
// App Home find it); the later events of the batch find their message
// posted and only do what else they carry (media, keywords). The ts of
// every message in a post is stored in one statement (store.RecordPost):
// a crash between the post and that write repeats the one post, with the
// same texts, and loses none (the retry contract of Domain.Record, bridge.Bridge.record).
//
// A text with media ends its batch: its files are uploads of their own,
// and must follow their text, not texts that came after it. A keyword
// (STOP, START, HELP) ends it too, so its note follows it.
const (
	maxBatchTexts = 10   // texts in one post: two blocks each, far inside 50
	maxBatchRunes = 6000 // of text in one post, inside Slack's ~12,000
	maxTextRunes  = 2000 // a longer text is posted alone (and split if need be)
)

// inboundBatch is the texts that go in one post.
type inboundBatch struct {
	texts []domain.InboundText
	ids   []uint64
	msgs  []*store.Message
	runes int
	ended bool // the last text ends the batch (media, keyword, too long)
}

// add appends in's text; it reports false, adding nothing, when it does
// not fit.
func (t *inboundBatch) add(in *inboundText) bool {
	n := utf8.RuneCountInString(in.p.Text)
	if t.ended || len(t.texts) == maxBatchTexts || (len(t.texts) > 0 && (n > maxTextRunes || t.runes+n > maxBatchRunes)) {
		return false
	}
	t.texts = append(t.texts, domain.InboundText{From: domain.E164(in.p.From.PhoneNumber), At: in.msg.CreatedAt, Text: in.p.Text})
	t.ids = append(t.ids, in.msg.ID)
	t.msgs = append(t.msgs, in.msg)
	t.runes += n
	_, kw := Keyword(in.p.Text)
	t.ended = len(in.p.Media) > 0 || kw != KeywordNone || n > maxTextRunes
	return true
}

// headerTexts is what a header carries of the batch: all of it, unless it
// is one text too long to ride in a header (nil batch: none).
func (t *inboundBatch) headerTexts() []domain.InboundText {
	if t == nil || t.runes > maxTextRunes && len(t.texts) == 1 {
		return nil
	}
	return t.texts
}

func (t *inboundBatch) headerIDs() []uint64 {
	if t.headerTexts() == nil {
		return nil
	}
	return t.ids
}

// post is the batch as one thread post: a lone text as before, several
// as a list.
func (t *inboundBatch) post(conv *store.Conversation, group bool) domain.ThreadPost {
	// The post's metadata names its first text's message (metadata.go).
	p := domain.ThreadPost{Kind: domain.KindInbound, Metadata: domain.MessageMetadata(domain.EventSMSReceived, conv, t.msgs[0])}
	if len(t.texts) == 1 {
		p.Text = t.texts[0].Text
		if group {
			p.From = t.texts[0].From // in a 1:1 thread the header already says who
		}
	} else {
		p.Texts, p.ShowFrom = t.texts, group
	}
	if conv.State == string(domain.StateClaimed) && conv.AssigneeID != "" {
		p.Mention = conv.AssigneeID
	}
	return p
}

// postInbound posts first's text, with the texts queued behind it, once
// the channel's budget gives its turn; until then it answers paced, and
// the lane waits in the store for the turn booked for it.
func (ib *Inbound) postInbound(ctx context.Context, ev *store.Event, first *inboundText) (*store.Conversation, error) {
	conv := first.conv
	opening := ib.needsThread(conv)
	channel := conv.Channel
	if opening {
		var err error
		if channel, err = ib.d.ChannelFor(ctx, domain.E164(conv.OurNumber)); err != nil {
			return nil, err
		}
	}
	if ib.cfg.SlackRate > 0 {
		wait, err := ib.st.ReserveToken(ctx, SlackPostBudget(channel), domain.LaneHolder(ev.Lane), ib.cfg.SlackRate, 1)
		if err != nil {
			return nil, err
		}
		if wait > 0 {
			return nil, &pace.Waiting{From: "Slack channel " + channel, At: ib.st.Now().Add(wait)}
		}
		ctx = WithChannelTurn(ctx, channel)
	}
	batch, err := ib.gatherInbound(ctx, ev, first)
	if err != nil {
		return nil, err
	}
	if len(batch.ids) > 1 {
		// The texts gathered behind first were counted against the wait
		// as they were stored: the header shows the count after them.
		if conv, err = ib.st.Conversation(ctx, conv.ID); err != nil {
			return nil, err
		}
	}
	if opening {
		if conv, err = ib.openThread(ctx, conv, batch); err != nil {
			return nil, err
		}
		if err := ib.headerSignaled(ctx, conv); err != nil {
			return nil, err
		}
		if batch.headerTexts() != nil {
			return conv, nil
		}
	}
	return conv, ib.postBatch(ctx, conv, batch, len(first.remotes) > 1)
}

// postBatch posts batch into conv's thread and records its ts on each of
// its messages. When the batch starts a waiting spell the channel has not
// been shown (the conversation was answered, resolved or quiet), the post
// is also sent to the channel (reply_broadcast, its first text shown):
// one signal a spell, however many texts the post holds; those after it
// stay in the thread.
func (ib *Inbound) postBatch(ctx context.Context, conv *store.Conversation, batch *inboundBatch, group bool) error {
	thread, _ := domain.CurrentThread(conv)
	post := batch.post(conv, group)
	signal := conv.WaitingSince != nil && !conv.WaitingSignaled
	post.Broadcast = signal && !ib.cfg.Waiting.SignalOff
	ts, err := ib.poster.PostInThread(ctx, thread, post)
	if err != nil {
		return fmt.Errorf("post inbound text: %w", err)
	}
	return ib.d.Record(ctx, "inbound texts' Slack ts", func(ctx context.Context) error {
		if err := ib.st.RecordPost(ctx, batch.ids, thread.Channel, ts); err != nil {
			return err
		}
		if signal {
			conv.WaitingSignaled = true
			return ib.st.MarkSignaled(ctx, conv.ID)
		}
		return nil
	})
}

// headerSignaled records that conv's new header showed its wait: a new
// header in the channel is the spell's signal, so no text of it is
// broadcast.
func (ib *Inbound) headerSignaled(ctx context.Context, conv *store.Conversation) error {
	conv.WaitingSignaled = true
	if err := ib.headerShown(ctx, conv, conv.LastActivityAt); err != nil {
		return err
	}
	return ib.d.Record(ctx, "wait signalled", func(ctx context.Context) error { return ib.st.MarkSignaled(ctx, conv.ID) })
}

// gatherInbound is first's text and the received texts queued right behind
// it in its lane, as many as fit one post. Each is stored (its message
// made) here; its own event later finds it posted.
func (ib *Inbound) gatherInbound(ctx context.Context, ev *store.Event, first *inboundText) (*inboundBatch, error) {
	batch := &inboundBatch{}
	batch.add(first)
	if batch.ended {
		return batch, nil
	}
	next, err := ib.st.PendingAfter(ctx, ev.Lane, ev.ID, maxBatchTexts-1)
	if err != nil {
		return nil, err
	}
	for i := range next {
		e := &next[i]
		if e.Source != domain.SourceTelnyx || e.Type != telnyxhook.EventMessageReceived {
			break // order: what comes after another kind of work waits for it
		}
		in, err := ib.storeInbound(ctx, e)
		if errors.Is(err, domain.ErrPermanent) {
			break // its own event fails it, in its turn
		}
		if err != nil {
			return nil, err
		}
		if slices.Contains(batch.ids, in.msg.ID) {
			continue // the same message again, under another event id
		}
		if in.msg.SlackTS != "" || in.conv.ID != first.conv.ID || !batch.add(in) || batch.ended {
			break
		}
	}
	return batch, nil
}

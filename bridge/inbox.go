package bridge

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/bridge/outbox"
	"github.com/smsbridge/smsbridge/store"
)

// InboxWatcher is told whose view of the inbox changed: the App Home of
// those users is out of date.
type InboxWatcher interface {
	InboxChanged(ctx context.Context, userIDs ...string)
}

// inboxHooks are the optional collaborators of the shared inbox.
type inboxHooks struct {
	names UserNamer
	watch InboxWatcher
}

// SetInboxHooks sets who names users in notes and who hears of changes to
// the inbox (the App Home). Either may be nil. Call it before the engine runs.
func (b *Bridge) SetInboxHooks(names UserNamer, watch InboxWatcher) {
	b.inbox = inboxHooks{names: names, watch: watch}
	b.replies.SetNamer(names)
}

// Change is the outcome of a state change. When Changed is false nothing
// was done, and Conversation says why: claimed by someone else, already
// resolved, already open.
type Change struct {
	Before       store.Conversation
	Conversation *store.Conversation // as it is now
	Changed      bool
}

// errBusy is returned when a conversation changed under us again and again.
var errBusy = errors.New("the conversation keeps changing; try again")

// transition decides, from a conversation as read, the fields to set and the
// note to post; ok false means there is nothing to do from this state.
type transition func(c *store.Conversation) (fields map[string]any, note ThreadPost, ok bool)

// Claim assigns conversation id to user, if it is open. Two teammates
// claiming at once end with one owner: the loser gets Changed false and the
// winner in Conversation.AssigneeID.
func (b *Bridge) Claim(ctx context.Context, id uint64, user string) (*Change, error) {
	return b.change(ctx, id, user, func(c *store.Conversation) (map[string]any, ThreadPost, bool) {
		if c.State != store.StateOpen {
			return nil, ThreadPost{}, false
		}
		return map[string]any{"state": store.StateClaimed, "assignee_id": user},
			ThreadPost{Text: b.userName(ctx, user) + " claimed this conversation."}, true
	})
}

// Unassign puts a claimed conversation back to open, unassigned.
func (b *Bridge) Unassign(ctx context.Context, id uint64, by string) (*Change, error) {
	return b.change(ctx, id, by, func(c *store.Conversation) (map[string]any, ThreadPost, bool) {
		if c.State != store.StateClaimed {
			return nil, ThreadPost{}, false
		}
		text := b.userName(ctx, by) + " released this conversation."
		if c.AssigneeID != by {
			text = fmt.Sprintf("%s unassigned %s.", b.userName(ctx, by), b.userName(ctx, c.AssigneeID))
		}
		return map[string]any{"state": store.StateOpen, "assignee_id": ""}, ThreadPost{Text: text}, true
	})
}

// Reassign gives the conversation to user to, from any state: a resolved
// conversation is reopened. The new assignee is mentioned in the note, so
// they are notified, unless they assigned it to themselves. An empty to
// unassigns.
func (b *Bridge) Reassign(ctx context.Context, id uint64, by, to string) (*Change, error) {
	if to == "" {
		return b.Unassign(ctx, id, by)
	}
	return b.change(ctx, id, by, func(c *store.Conversation) (map[string]any, ThreadPost, bool) {
		if c.State == store.StateClaimed && c.AssigneeID == to {
			return nil, ThreadPost{}, false
		}
		was := ""
		switch {
		case c.State == store.StateResolved:
			was = " (it had been resolved)"
		case c.State == store.StateClaimed:
			was = " (it was with " + b.userName(ctx, c.AssigneeID) + ")"
		}
		note := ThreadPost{Text: fmt.Sprintf("%s took this conversation%s.", b.userName(ctx, by), was)}
		if to != by {
			note = ThreadPost{Mention: to, Text: fmt.Sprintf("assigned to you by %s%s.", b.userName(ctx, by), was)}
		}
		return map[string]any{"state": store.StateClaimed, "assignee_id": to, "resolved_by": "", "resolved_at": nil}, note, true
	})
}

// Resolve marks the conversation resolved by by, now. It is no longer
// anyone's: a new text reopens it for the whole team.
func (b *Bridge) Resolve(ctx context.Context, id uint64, by string) (*Change, error) {
	return b.change(ctx, id, by, func(c *store.Conversation) (map[string]any, ThreadPost, bool) {
		if c.State == store.StateResolved {
			return nil, ThreadPost{}, false
		}
		// Resolving ends a wait; the header shows it (show, below).
		fields := store.NotWaiting(b.st.Now())
		fields["header_due_at"] = nil
		fields["state"], fields["assignee_id"], fields["resolved_by"], fields["resolved_at"] = store.StateResolved, "", by, b.st.Now()
		return fields, ThreadPost{Text: b.userName(ctx, by) + " resolved this conversation."}, true
	})
}

// Reopen opens a resolved conversation again, unassigned.
func (b *Bridge) Reopen(ctx context.Context, id uint64, by string) (*Change, error) {
	return b.change(ctx, id, by, func(c *store.Conversation) (map[string]any, ThreadPost, bool) {
		if c.State != store.StateResolved {
			return nil, ThreadPost{}, false
		}
		return map[string]any{"state": store.StateOpen, "assignee_id": "", "resolved_by": "", "resolved_at": nil},
			ThreadPost{Text: b.userName(ctx, by) + " reopened this conversation."}, true
	})
}

// change applies t as a compare-and-set on the state and assignee read: if
// someone else changed either in between, it reads again and decides again
// on what is there now. The winner's change is shown in Slack: the header
// is updated in place and a note is posted in the thread. The store is the
// truth: when Slack fails after the change is stored, the Change is
// returned with the error.
func (b *Bridge) change(ctx context.Context, id uint64, by string, t transition) (*Change, error) {
	for range 5 {
		c, err := b.st.Conversation(ctx, id)
		if err != nil {
			return nil, err
		}
		fields, note, ok := t(c)
		if !ok {
			return &Change{Before: *c, Conversation: c}, nil
		}
		won, err := b.st.UpdateConversationIf(ctx, id, fields, "state = ? AND assignee_id = ?", c.State, c.AssigneeID)
		if err != nil {
			return nil, err
		}
		if !won {
			continue
		}
		after, err := b.st.Conversation(ctx, id)
		if err != nil {
			return nil, err
		}
		ch := &Change{Before: *c, Conversation: after, Changed: true}
		b.inboxChanged(ctx, by, c.AssigneeID, after.AssigneeID)
		note.Kind = KindNote
		note.Metadata = changeMetadata(c, after, by)
		return ch, b.show(ctx, after, note)
	}
	return nil, errBusy
}

// show updates the header of the conversation's thread and posts note in it.
// A button pressed on a header moments after Slack showed it can come
// before the header's ts is stored; show then waits for it, a little.
func (b *Bridge) show(ctx context.Context, c *store.Conversation, note ThreadPost) error {
	thread, ok := CurrentThread(c)
	if !ok {
		if c, ok = b.awaitThread(ctx, c.ID); !ok {
			return nil
		}
		thread, _ = CurrentThread(c)
	}
	var errs []error
	if err := b.poster.UpdateHeader(ctx, thread, b.HeaderFor(ctx, c)); err != nil {
		errs = append(errs, fmt.Errorf("update header: %w", err))
	}
	if _, err := b.poster.PostInThread(ctx, thread, note); err != nil {
		errs = append(errs, fmt.Errorf("post note: %w", err))
	}
	return errors.Join(errs...)
}

// NameContact names number (E.164), or forgets its name when name is "",
// and rewrites the headers of its conversations (1:1 and group) so they
// show it. It returns those conversations.
func (b *Bridge) NameContact(ctx context.Context, number E164, name, by string) ([]store.Conversation, error) {
	var err error
	if name == "" {
		err = b.st.DeleteContact(ctx, string(number))
	} else {
		err = b.st.SetContact(ctx, &store.Contact{Number: string(number), Name: name, SetBy: by})
	}
	if err != nil {
		return nil, err
	}
	// Group headers show their members' names too.
	convs, err := b.st.ConversationsOf(ctx, string(number), 50)
	if err != nil {
		return nil, err
	}
	var errs []error
	for i := range convs {
		if thread, ok := CurrentThread(&convs[i]); ok {
			if err := b.poster.UpdateHeader(ctx, thread, b.HeaderFor(ctx, &convs[i])); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return convs, fmt.Errorf("update headers: %w", errors.Join(errs...))
	}
	return convs, nil
}

// InboxChanged tells the watcher (the App Home) that the inbox of users
// changed, e.g. after an answer was sent in a conversation one of them owns.
func (b *Bridge) InboxChanged(ctx context.Context, users ...string) { b.inboxChanged(ctx, users...) }

// inboxChanged tells the watcher whose inbox changed, each user once.
func (b *Bridge) inboxChanged(ctx context.Context, users ...string) {
	if b.inbox.watch == nil {
		return
	}
	var uniq []string
	for _, u := range users {
		if u != "" && !slices.Contains(uniq, u) {
			uniq = append(uniq, u)
		}
	}
	if len(uniq) > 0 {
		b.inbox.watch.InboxChanged(ctx, uniq...)
	}
}

// userName names a Slack user for a note; without a namer, the id.
func (b *Bridge) userName(ctx context.Context, id string) string {
	if b.inbox.names != nil {
		if n := b.inbox.names.UserName(ctx, id); n != "" {
			return n
		}
	}
	return id
}

// awaitThread reads conversation id until it has a thread, for as long as
// a thread reply waits for its thread (outbox.DefaultThreadWait); ok is
// false when it still has none.
func (b *Bridge) awaitThread(ctx context.Context, id uint64) (*store.Conversation, bool) {
	c, ok, err := domain.Await(ctx, outbox.DefaultThreadWait, func(ctx context.Context) (*store.Conversation, bool, error) {
		c, err := b.st.Conversation(ctx, id)
		if err != nil {
			return nil, false, err
		}
		_, ok := CurrentThread(c)
		return c, ok, nil
	})
	return c, ok && err == nil
}

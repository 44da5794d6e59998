package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
)

// InboxOps are the shared inbox's state changes (bridge.Bridge implements
// them): compare-and-set on the store, header updated, note posted.
type InboxOps interface {
	Claim(ctx context.Context, id uint64, user string) (*bridge.Change, error)
	Unassign(ctx context.Context, id uint64, by string) (*bridge.Change, error)
	Reassign(ctx context.Context, id uint64, by, to string) (*bridge.Change, error)
	Resolve(ctx context.Context, id uint64, by string) (*bridge.Change, error)
	Reopen(ctx context.Context, id uint64, by string) (*bridge.Change, error)
}

// RegisterInboxActions handles the header buttons: Claim, Unassign, Resolve,
// Reopen, and the "Assign to…" user picker. Whoever pressed a button that
// did nothing (someone else claimed first, it was already resolved) is told
// why, only them: an ephemeral message through the response_url, or
// chat.postEphemeral when there is none.
func RegisterInboxActions(in *slackin.Interactions, ops InboxOps, client *slack.Client, responder slackin.Responder, log *slog.Logger) {
	a := &inboxActions{ops: ops, client: client, responder: responder, log: log}
	in.OnAction(slackpost.ActionClaim, a.handle(slackpost.ActionClaim))
	in.OnAction(slackpost.ActionUnassign, a.handle(slackpost.ActionUnassign))
	in.OnAction(slackpost.ActionResolve, a.handle(slackpost.ActionResolve))
	in.OnAction(slackpost.ActionReopen, a.handle(slackpost.ActionReopen))
	in.OnAction(slackpost.ActionReassign, a.handle(slackpost.ActionReassign))
}

type inboxActions struct {
	ops       InboxOps
	client    *slack.Client
	responder slackin.Responder
	log       *slog.Logger
	home      *Home // set for the App Home's buttons, which have no thread to answer in
}

func (a *inboxActions) handle(kind string) slackin.ActionFunc {
	return func(ctx context.Context, cb *slack.InteractionCallback, action *slack.BlockAction) error {
		user := cb.User.ID
		id, err := slackpost.ConversationID(action)
		if err != nil {
			return a.tell(ctx, cb, "This button does not name a conversation smsbridge knows.")
		}
		var ch *bridge.Change
		switch kind {
		case slackpost.ActionClaim:
			ch, err = a.ops.Claim(ctx, id, user)
		case slackpost.ActionUnassign:
			ch, err = a.ops.Unassign(ctx, id, user)
		case slackpost.ActionResolve:
			ch, err = a.ops.Resolve(ctx, id, user)
		case slackpost.ActionReopen:
			ch, err = a.ops.Reopen(ctx, id, user)
		case slackpost.ActionReassign:
			ch, err = a.ops.Reassign(ctx, id, user, action.SelectedUser)
		}
		switch {
		case errors.Is(err, bridge.ErrNotFound):
			return a.tell(ctx, cb, "That conversation no longer exists.")
		case err != nil && (ch == nil || !ch.Changed):
			a.log.Error("inbox action failed", "action", kind, "conversation", id, "err", err)
			return a.tell(ctx, cb, "Sorry, that did not work; please try again.")
		case err != nil:
			// Stored, but Slack did not take the header or the note.
			a.log.Warn("inbox change stored, not shown", "action", kind, "conversation", id, "err", err)
			return a.tell(ctx, cb, "Done, but Slack did not take the update of the thread; it shows the new state on its next change.")
		case !ch.Changed:
			return a.tell(ctx, cb, refusal(kind, ch.Conversation, user, action.SelectedUser))
		}
		return nil
	}
}

// refusal says why a button changed nothing, from the state it found.
func refusal(kind string, c *bridge.Conversation, user, to string) string {
	who := func(id string) string {
		if m := slackpost.Mention(id); m != "" {
			return m
		}
		return "someone"
	}
	state := bridge.ConversationState(c.State)
	switch {
	case kind == slackpost.ActionReassign && to != "":
		return "It is already assigned to " + who(to) + "."
	case state == bridge.StateClaimed && c.AssigneeID == user && kind == slackpost.ActionClaim:
		return "You have already claimed this conversation."
	case state == bridge.StateClaimed && kind == slackpost.ActionClaim:
		return "Already claimed by " + who(c.AssigneeID) + "."
	case state == bridge.StateResolved && kind == slackpost.ActionResolve:
		return "Already resolved by " + who(c.ResolvedBy) + "."
	case state == bridge.StateResolved:
		return "This conversation was resolved by " + who(c.ResolvedBy) + "; reopen it first."
	case kind == slackpost.ActionReopen && state == bridge.StateClaimed:
		return "This conversation is not resolved: it is claimed by " + who(c.AssigneeID) + "."
	case kind == slackpost.ActionReopen:
		return "This conversation is already open."
	case kind == slackpost.ActionUnassign:
		return "This conversation is not assigned to anyone."
	}
	return fmt.Sprintf("Nothing to do: the conversation is %s.", c.State)
}

// tell shows text to the user who acted, and only to them.
func (a *inboxActions) tell(ctx context.Context, cb *slack.InteractionCallback, text string) error {
	if a.home != nil && cb.View.Type == slack.VTHomeTab {
		a.home.Notice(ctx, cb.User.ID, text)
		return nil
	}
	if cb.ResponseURL != "" && a.responder != nil {
		// replace_original false: the header stays; this is a new
		// ephemeral message under it.
		return a.responder.Respond(ctx, cb.ResponseURL, &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text})
	}
	if a.client == nil || cb.Channel.ID == "" {
		return fmt.Errorf("no way to tell %s: %s", cb.User.ID, text)
	}
	_, err := a.client.PostEphemeralContext(ctx, cb.Channel.ID, cb.User.ID, slack.MsgOptionText(text, false))
	return err
}

// UserNames names Slack users for notes (bridge.UserNamer) with users.info,
// remembering each answer.
type UserNames struct {
	client *slack.Client
	mu     sync.Mutex
	names  map[string]string
}

var _ bridge.UserNamer = (*UserNames)(nil)

// NewUserNames makes a namer on client.
func NewUserNames(client *slack.Client) *UserNames {
	return &UserNames{client: client, names: map[string]string{}}
}

// UserName is the user's display name, else real name, else handle; "" when
// Slack does not know them (the caller shows the id instead).
func (u *UserNames) UserName(ctx context.Context, id string) string {
	u.mu.Lock()
	name, ok := u.names[id]
	u.mu.Unlock()
	if ok {
		return name
	}
	info, err := u.client.GetUserInfoContext(ctx, id)
	if err != nil {
		return ""
	}
	for _, n := range []string{info.Profile.DisplayName, info.RealName, info.Profile.RealName, info.Name} {
		if strings.TrimSpace(n) != "" {
			name = n
			break
		}
	}
	u.mu.Lock()
	u.names[id] = name
	u.mu.Unlock()
	return name
}

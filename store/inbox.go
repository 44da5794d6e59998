package store

import (
	"context"
	"slices"
	"time"
)

// Conversation states, as stored.
const (
	StateOpen     = "open"
	StateClaimed  = "claimed"
	StateResolved = "resolved"
)

// The App Home and history queries. Each is served by an index of
// migration 4 in the order it asks for (TestInboxQueriesUseIndexes checks
// the plans), so their cost follows the LIMIT, not the table size.
const (
	// sqlAssigned lists a user's claimed conversations, or with assignee ''
	// and state open the unassigned ones, most recently active first.
	sqlAssigned = `SELECT * FROM conversations WHERE assignee_id = ? AND state = ? ORDER BY last_activity_at DESC LIMIT ?`
	// sqlWaiting lists conversations of one state whose last message is
	// inbound, longest waiting first. Opted-out ones cannot be answered.
	sqlWaiting = `SELECT * FROM conversations WHERE state = ? AND last_direction = ? AND opted_out = ? ORDER BY last_activity_at ASC LIMIT ?`
	// sqlResolved lists conversations resolved since a time, newest first.
	sqlResolved = `SELECT * FROM conversations WHERE state = ? AND resolved_at >= ? ORDER BY resolved_at DESC LIMIT ?`
	// sqlByRemote lists the conversations with one remote set, newest first.
	sqlByRemote = `SELECT * FROM conversations WHERE remote_key = ? ORDER BY last_activity_at DESC LIMIT ?`
	// sqlGroupsWith lists the group conversations that include a number. A
	// remote key is a sorted comma list, so the number is at its start, at
	// its end or between commas. A LIKE with a leading wildcard cannot use
	// an index: this serves /sms contact and /sms history, not the App Home.
	sqlGroupsWith = `SELECT * FROM conversations WHERE remote_key LIKE ? OR remote_key LIKE ? OR remote_key LIKE ? ORDER BY last_activity_at DESC LIMIT ?`
	// sqlHistory lists a conversation's messages, newest first.
	sqlHistory = `SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`
)

// Inbox is what the App Home shows one user. Each section holds at most the
// limit asked for; More says a section has more than that.
type Inbox struct {
	Waiting    []Conversation // last message inbound, open or claimed, longest waiting first
	Mine       []Conversation // claimed by the user, most recent first
	Unassigned []Conversation // open, most recent first
	Resolved   []Conversation // resolved since the given time, newest first
	More       struct{ Waiting, Mine, Unassigned, Resolved bool }
}

// InboxFor builds the App Home sections of user: at most limit per section,
// resolved ones since resolvedSince.
func (s *Store) InboxFor(ctx context.Context, user string, limit int, resolvedSince time.Time) (*Inbox, error) {
	var in Inbox
	var err error
	if in.Waiting, in.More.Waiting, err = s.waiting(ctx, limit); err != nil {
		return nil, err
	}
	if in.Mine, in.More.Mine, err = s.list(ctx, limit, sqlAssigned, user, StateClaimed); err != nil {
		return nil, err
	}
	if in.Unassigned, in.More.Unassigned, err = s.list(ctx, limit, sqlAssigned, "", StateOpen); err != nil {
		return nil, err
	}
	if in.Resolved, in.More.Resolved, err = s.list(ctx, limit, sqlResolved, StateResolved, resolvedSince.UTC()); err != nil {
		return nil, err
	}
	return &in, nil
}

// list runs one of the section queries for limit+1 rows, to tell whether
// there are more than limit.
func (s *Store) list(ctx context.Context, limit int, q string, args ...any) ([]Conversation, bool, error) {
	var cs []Conversation
	if err := s.db.WithContext(ctx).Raw(q, append(args, limit+1)...).Scan(&cs).Error; err != nil {
		return nil, false, err
	}
	if len(cs) > limit {
		return cs[:limit], true, nil
	}
	return cs, false, nil
}

// waiting merges the open and the claimed conversations that wait for an
// answer. Two index ranges merged here stay cheap where one query with
// state IN (…) would sort every waiting conversation to find the oldest.
func (s *Store) waiting(ctx context.Context, limit int) ([]Conversation, bool, error) {
	var all []Conversation
	for _, state := range []string{StateOpen, StateClaimed} {
		cs, _, err := s.list(ctx, limit, sqlWaiting, state, Inbound, false)
		if err != nil {
			return nil, false, err
		}
		all = append(all, cs...)
	}
	slices.SortStableFunc(all, func(a, b Conversation) int { return a.LastActivityAt.Compare(b.LastActivityAt) })
	if len(all) > limit {
		return all[:limit], true, nil
	}
	return all, false, nil
}

// ConversationsWith lists the conversations whose remote set is exactly
// remoteKey (one number for a 1:1 conversation), on any of our numbers,
// most recently active first.
func (s *Store) ConversationsWith(ctx context.Context, remoteKey string, limit int) ([]Conversation, error) {
	var cs []Conversation
	err := s.db.WithContext(ctx).Raw(sqlByRemote, remoteKey, limit).Scan(&cs).Error
	return cs, err
}

// ConversationsOf lists the conversations number is in: its 1:1
// conversations first, then the group MMS conversations that include it,
// each newest first and at most limit of each.
func (s *Store) ConversationsOf(ctx context.Context, number string, limit int) ([]Conversation, error) {
	cs, err := s.ConversationsWith(ctx, number, limit)
	if err != nil {
		return nil, err
	}
	var groups []Conversation
	err = s.db.WithContext(ctx).Raw(sqlGroupsWith, number+",%", "%,"+number, "%,"+number+",%", limit).Scan(&groups).Error
	return append(cs, groups...), err
}

// History lists a conversation's newest messages, both directions, newest
// first.
func (s *Store) History(ctx context.Context, conversationID uint64, limit int) ([]Message, error) {
	var ms []Message
	err := s.db.WithContext(ctx).Raw(sqlHistory, conversationID, limit).Scan(&ms).Error
	return ms, err
}

package conversations

import (
	"context"
	"time"

	"github.com/smsbridge/smsbridge/store/model"
)

// The App Home and history queries. Each is served by an index of
// migration 4 or 12 in the order it asks for (TestInboxQueriesUseIndexes
// checks the plans), so their cost follows the LIMIT and OFFSET, not the
// table size; each section's count is one indexed COUNT over the same range.
const (
	// sqlAssigned lists a user's claimed conversations, or with assignee ''
	// and state open the unassigned ones, most recently active first.
	sqlAssigned      = `SELECT * FROM conversations WHERE assignee_id = ? AND state = ? ORDER BY last_activity_at DESC, id DESC LIMIT ? OFFSET ?`
	sqlAssignedCount = `SELECT COUNT(*) FROM conversations WHERE assignee_id = ? AND state = ?`
	// sqlWaiting lists the conversations that wait for an answer (open or
	// claimed: resolving ends a wait), longest waiting first. Opted-out
	// ones cannot be answered.
	sqlWaiting      = `SELECT * FROM conversations WHERE opted_out = ? AND waiting_since IS NOT NULL ORDER BY waiting_since, id LIMIT ? OFFSET ?`
	sqlWaitingCount = `SELECT COUNT(*) FROM conversations WHERE opted_out = ? AND waiting_since IS NOT NULL`
	// sqlResolved lists conversations resolved since a time, newest first.
	sqlResolved      = `SELECT * FROM conversations WHERE state = ? AND resolved_at >= ? ORDER BY resolved_at DESC, id DESC LIMIT ? OFFSET ?`
	sqlResolvedCount = `SELECT COUNT(*) FROM conversations WHERE state = ? AND resolved_at >= ?`
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

// Section is one App Home section: a page of its conversations, where the
// page starts, and how many the whole section holds.
type Section struct {
	Rows   []model.Conversation
	Offset int
	Total  int64
}

// More says the section has conversations after this page.
func (s Section) More() bool { return int64(s.Offset+len(s.Rows)) < s.Total }

// Inbox is what the App Home shows one user, a page of each section.
type Inbox struct {
	Waiting    Section // waiting for an answer, open or claimed, longest waiting first
	Mine       Section // claimed by the user, most recent first
	Unassigned Section // open, most recent first
	Resolved   Section // resolved since the given time, newest first
}

// InboxPages are where each section's page starts (offsets, 0 for the first).
type InboxPages struct{ Waiting, Mine, Unassigned, Resolved int }

// InboxFor builds the App Home sections of user: a page of at most limit
// per section starting at pages, resolved ones since resolvedSince.
func (s *Conversations) InboxFor(ctx context.Context, user string, limit int, resolvedSince time.Time, pages InboxPages) (*Inbox, error) {
	var in Inbox
	since := resolvedSince.UTC()
	for _, q := range []struct {
		sec         *Section
		offset      int
		list, count string
		args        []any
	}{
		{&in.Waiting, pages.Waiting, sqlWaiting, sqlWaitingCount, []any{false}},
		{&in.Mine, pages.Mine, sqlAssigned, sqlAssignedCount, []any{user, model.StateClaimed}},
		{&in.Unassigned, pages.Unassigned, sqlAssigned, sqlAssignedCount, []any{"", model.StateOpen}},
		{&in.Resolved, pages.Resolved, sqlResolved, sqlResolvedCount, []any{model.StateResolved, since}},
	} {
		sec, err := s.section(ctx, limit, max(q.offset, 0), q.list, q.count, q.args...)
		if err != nil {
			return nil, err
		}
		*q.sec = sec
	}
	return &in, nil
}

// section counts a section and reads the page at offset. A page past the
// end (the section shrank since the button was drawn) becomes the last one.
func (s *Conversations) section(ctx context.Context, limit, offset int, list, count string, args ...any) (Section, error) {
	var sec Section
	db := s.DB.WithContext(ctx)
	if err := db.Raw(count, args...).Scan(&sec.Total).Error; err != nil {
		return sec, err
	}
	if int64(offset) >= sec.Total && offset > 0 {
		offset = max(int(sec.Total-1)/limit*limit, 0)
	}
	sec.Offset = offset
	err := db.Raw(list, append(args, limit, offset)...).Scan(&sec.Rows).Error
	return sec, err
}

// ConversationsWith lists the conversations whose remote set is exactly
// remoteKey (one number for a 1:1 conversation), on any of our numbers,
// most recently active first.
func (s *Conversations) ConversationsWith(ctx context.Context, remoteKey string, limit int) ([]model.Conversation, error) {
	var cs []model.Conversation
	err := s.DB.WithContext(ctx).Raw(sqlByRemote, remoteKey, limit).Scan(&cs).Error
	return cs, err
}

// ConversationsOf lists the conversations number is in: its 1:1
// conversations first, then the group MMS conversations that include it,
// each newest first and at most limit of each.
func (s *Conversations) ConversationsOf(ctx context.Context, number string, limit int) ([]model.Conversation, error) {
	cs, err := s.ConversationsWith(ctx, number, limit)
	if err != nil {
		return nil, err
	}
	var groups []model.Conversation
	err = s.DB.WithContext(ctx).Raw(sqlGroupsWith, number+",%", "%,"+number, "%,"+number+",%", limit).Scan(&groups).Error
	return append(cs, groups...), err
}

// History lists a conversation's newest messages, both directions, newest
// first.
func (s *Conversations) History(ctx context.Context, conversationID uint64, limit int) ([]model.Message, error) {
	var ms []model.Message
	err := s.DB.WithContext(ctx).Raw(sqlHistory, conversationID, limit).Scan(&ms).Error
	return ms, err
}

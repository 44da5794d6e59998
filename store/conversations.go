package store

import (
	"context"

	"gorm.io/gorm/clause"
)

// FindOrCreateConversation returns the conversation of kind (KindSMS or
// KindWhatsApp) of our number with the remote set remoteKey, creating it if
// needed. created reports whether this call created it. Two callers racing
// get the same row.
func (s *Store) FindOrCreateConversation(ctx context.Context, kind, ourNumber, remoteKey string) (c *Conversation, created bool, err error) {
	// Nearly every call finds one (every text after a conversation's
	// first), so read first: the insert-or-ignore, gorm's widest
	// statement, was a third of a worker's time per inbound text on
	// PostgreSQL under load.
	if c, err := s.ConversationByNumbers(ctx, kind, ourNumber, remoteKey); err != ErrNotFound {
		return c, false, err
	}
	now := s.Now()
	nc := &Conversation{Kind: kindOrSMS(kind), OurNumber: ourNumber, RemoteKey: remoteKey, State: "open", LastActivityAt: now}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(nc)
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 1 {
		return nc, true, nil
	}
	c, err = s.ConversationByNumbers(ctx, kind, ourNumber, remoteKey)
	return c, false, err
}

func kindOrSMS(kind string) string {
	if kind == "" {
		return KindSMS
	}
	return kind
}

// ConversationByNumbers finds a conversation by kind, our number and remote set.
func (s *Store) ConversationByNumbers(ctx context.Context, kind, ourNumber, remoteKey string) (*Conversation, error) {
	var c Conversation
	err := s.db.WithContext(ctx).Where("our_number = ? AND remote_key = ? AND kind = ?", ourNumber, remoteKey, kindOrSMS(kind)).Take(&c).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// Conversation finds a conversation by id.
func (s *Store) Conversation(ctx context.Context, id uint64) (*Conversation, error) {
	var c Conversation
	if err := s.db.WithContext(ctx).Take(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// ConversationByThread finds the conversation whose current thread is
// (channel, threadTS).
func (s *Store) ConversationByThread(ctx context.Context, channel, threadTS string) (*Conversation, error) {
	var c Conversation
	err := s.db.WithContext(ctx).Where("thread_ts = ? AND channel = ?", threadTS, channel).Take(&c).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// UpdateConversation sets fields of conversation id. Use column names.
func (s *Store) UpdateConversation(ctx context.Context, id uint64, fields map[string]any) error {
	res := s.db.WithContext(ctx).Model(&Conversation{}).Where("id = ?", id).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// UpdateConversationIf sets fields of conversation id only where cond
// (a SQL condition with args) holds, and reports whether it did. It is the
// compare-and-set for state changes two teammates may race on.
func (s *Store) UpdateConversationIf(ctx context.Context, id uint64, fields map[string]any, cond string, args ...any) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Conversation{}).Where("id = ?", id).Where(cond, args...).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// RouteFor returns the stored channel for our number, or ErrNotFound.
func (s *Store) RouteFor(ctx context.Context, ourNumber string) (*Route, error) {
	var r Route
	if err := s.db.WithContext(ctx).Take(&r, "our_number = ?", ourNumber).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// SetRoute stores channel as the inbox for our number.
func (s *Store) SetRoute(ctx context.Context, r *Route) error {
	r.UpdatedAt = s.Now()
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(r).Error
}

// Routes lists the stored routes.
func (s *Store) Routes(ctx context.Context) ([]Route, error) {
	var rs []Route
	return rs, s.db.WithContext(ctx).Order("our_number").Find(&rs).Error
}

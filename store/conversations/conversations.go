package conversations

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// FindOrCreateConversation returns the conversation of kind (KindSMS or
// KindWhatsApp) of our number with the remote set remoteKey, creating it if
// needed. created reports whether this call created it. Two callers racing
// get the same row.
func (s *Conversations) FindOrCreateConversation(ctx context.Context, kind, ourNumber, remoteKey string) (c *model.Conversation, created bool, err error) {
	// Nearly every call finds one (every text after a conversation's
	// first), so read first: the insert-or-ignore, gorm's widest
	// statement, was a third of a worker's time per inbound text on
	// PostgreSQL under load.
	if c, err := s.ConversationByNumbers(ctx, kind, ourNumber, remoteKey); err != model.ErrNotFound {
		return c, false, err
	}
	now := s.Now()
	nc := &model.Conversation{Kind: kindOrSMS(kind), OurNumber: ourNumber, RemoteKey: remoteKey, State: "open", LastActivityAt: now}
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(nc)
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
		return model.KindSMS
	}
	return kind
}

// ConversationByNumbers finds a conversation by kind, our number and remote set.
func (s *Conversations) ConversationByNumbers(ctx context.Context, kind, ourNumber, remoteKey string) (*model.Conversation, error) {
	var c model.Conversation
	err := s.DB.WithContext(ctx).Where("our_number = ? AND remote_key = ? AND kind = ?", ourNumber, remoteKey, kindOrSMS(kind)).Take(&c).Error
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &c, nil
}

// Conversation finds a conversation by id.
func (s *Conversations) Conversation(ctx context.Context, id uint64) (*model.Conversation, error) {
	var c model.Conversation
	if err := s.DB.WithContext(ctx).Take(&c, id).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &c, nil
}

// ConversationByThread finds the conversation whose current thread is
// (channel, threadTS).
func (s *Conversations) ConversationByThread(ctx context.Context, channel, threadTS string) (*model.Conversation, error) {
	var c model.Conversation
	err := s.DB.WithContext(ctx).Where("thread_ts = ? AND channel = ?", threadTS, channel).Take(&c).Error
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &c, nil
}

// UpdateConversation sets fields of conversation id. Use column names.
func (s *Conversations) UpdateConversation(ctx context.Context, id uint64, fields map[string]any) error {
	res := s.DB.WithContext(ctx).Model(&model.Conversation{}).Where("id = ?", id).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

// UpdateConversationIf sets fields of conversation id only where cond
// (a SQL condition with args) holds, and reports whether it did. It is the
// compare-and-set for state changes two teammates may race on.
func (s *Conversations) UpdateConversationIf(ctx context.Context, id uint64, fields map[string]any, cond string, args ...any) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&model.Conversation{}).Where("id = ?", id).Where(cond, args...).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// RouteFor returns the stored channel for our number, or ErrNotFound.
func (s *Conversations) RouteFor(ctx context.Context, ourNumber string) (*model.Route, error) {
	var r model.Route
	if err := s.DB.WithContext(ctx).Take(&r, "our_number = ?", ourNumber).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &r, nil
}

// SetRoute stores channel as the inbox for our number.
func (s *Conversations) SetRoute(ctx context.Context, r *model.Route) error {
	r.UpdatedAt = s.Now()
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(r).Error
}

// Routes lists the stored routes.
func (s *Conversations) Routes(ctx context.Context) ([]model.Route, error) {
	var rs []model.Route
	return rs, s.DB.WithContext(ctx).Order("our_number").Find(&rs).Error
}

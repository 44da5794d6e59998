package conversations

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// ConversationByPrevThread finds the conversation that once lived in thread
// (channel, threadTS) and has since moved to a newer one after a long
// silence (any earlier thread, not only the last).
func (s *Conversations) ConversationByPrevThread(ctx context.Context, channel, threadTS string) (*model.Conversation, error) {
	var c model.Conversation
	err := s.DB.WithContext(ctx).
		Joins("JOIN threads ON threads.conversation_id = conversations.id").
		Where("threads.channel = ? AND threads.ts = ?", channel, threadTS).
		Where("NOT (conversations.channel = ? AND conversations.thread_ts = ?)", channel, threadTS).
		Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// The conversation's own record of its previous thread.
		err = s.DB.WithContext(ctx).Where("prev_thread_ts = ? AND prev_channel = ?", threadTS, channel).Take(&c).Error
	}
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &c, nil
}

// AddThread records that conversation id lives (or lived) in a thread.
func (s *Conversations) AddThread(ctx context.Context, conversationID uint64, channel, threadTS string) error {
	return s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&model.Thread{Channel: channel, TS: threadTS, ConversationID: conversationID, CreatedAt: s.Now()}).Error
}

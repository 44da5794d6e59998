package outbox

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// InsertMessage stores m unless a message with the same TelnyxID or
// OutboxKey exists; then it loads that one into m. It reports whether m is new.
func (s *Outbox) InsertMessage(ctx context.Context, m *model.Message) (bool, error) {
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	q := s.DB.WithContext(ctx)
	switch {
	case m.TelnyxID != nil:
		q = q.Where("telnyx_id = ?", *m.TelnyxID)
	case m.OutboxKey != nil:
		q = q.Where("outbox_key = ?", *m.OutboxKey)
	default:
		return false, model.ErrNotFound
	}
	*m = model.Message{}
	return false, conn.NotFound(q.Take(m).Error)
}

// MessageByTelnyxID finds a message by its Telnyx id.
func (s *Outbox) MessageByTelnyxID(ctx context.Context, id string) (*model.Message, error) {
	var m model.Message
	if err := s.DB.WithContext(ctx).Where("telnyx_id = ?", id).Take(&m).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// MessageByOutboxKey finds an outbound message by its Slack key.
func (s *Outbox) MessageByOutboxKey(ctx context.Context, key string) (*model.Message, error) {
	var m model.Message
	if err := s.DB.WithContext(ctx).Where("outbox_key = ?", key).Take(&m).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// UpdateMessage sets fields of message id. Use column names.
func (s *Outbox) UpdateMessage(ctx context.Context, id uint64, fields map[string]any) error {
	res := s.DB.WithContext(ctx).Model(&model.Message{}).Where("id = ?", id).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

// RecentMessages lists a conversation's newest messages, newest first.
func (s *Outbox) RecentMessages(ctx context.Context, conversationID uint64, limit int) ([]model.Message, error) {
	var ms []model.Message
	err := s.DB.WithContext(ctx).Where("conversation_id = ?", conversationID).
		Order("created_at DESC, id DESC").Limit(limit).Find(&ms).Error
	return ms, err
}

// RecordPost stores that the messages ids went out in one Slack post
// (channel, ts), in one statement, so a crash leaves all or none of them
// marked posted.
func (s *Outbox) RecordPost(ctx context.Context, ids []uint64, channel, ts string) error {
	if len(ids) == 0 {
		return nil
	}
	res := s.DB.WithContext(ctx).Model(&model.Message{}).Where("id IN ?", ids).
		Updates(map[string]any{"slack_channel": channel, "slack_ts": ts, "updated_at": s.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

// MessagesInPost lists a conversation's messages that went out in the
// Slack post (channel, ts), oldest first: the first texts a thread header
// carries, for rewriting it.
func (s *Outbox) MessagesInPost(ctx context.Context, conversationID uint64, channel, ts string, limit int) ([]model.Message, error) {
	var ms []model.Message
	err := s.DB.WithContext(ctx).Where("conversation_id = ? AND slack_channel = ? AND slack_ts = ?", conversationID, channel, ts).
		Order("id").Limit(limit).Find(&ms).Error
	return ms, err
}

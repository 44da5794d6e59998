package outbox

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// UpdateMessageIf sets fields of message id only while its status is one of
// from, and reports whether it did: the compare-and-set that records a send
// attempt before Telnyx is called, and keeps a final delivery state final.
func (s *Outbox) UpdateMessageIf(ctx context.Context, id uint64, fields map[string]any, from ...string) (bool, error) {
	res := s.DB.WithContext(ctx).Model(&model.Message{}).Where("id = ? AND status IN ?", id, from).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// Message finds a message by id.
func (s *Outbox) Message(ctx context.Context, id uint64) (*model.Message, error) {
	var m model.Message
	if err := s.DB.WithContext(ctx).Take(&m, id).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// PutOutboxMedia stores m unless the message already has media at that
// position; then it loads the stored one into m. It reports whether m is new.
func (s *Outbox) PutOutboxMedia(ctx context.Context, m *model.OutboxMedia) (bool, error) {
	res := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	msg, pos := m.MessageID, m.Position
	*m = model.OutboxMedia{}
	return false, conn.NotFound(s.DB.WithContext(ctx).Where("message_id = ? AND position = ?", msg, pos).Take(m).Error)
}

// OutboxMediaByToken finds unexpired media by token; expired or unknown
// tokens are ErrNotFound alike.
func (s *Outbox) OutboxMediaByToken(ctx context.Context, token string) (*model.OutboxMedia, error) {
	var m model.OutboxMedia
	err := s.DB.WithContext(ctx).Where("token = ? AND expires_at > ?", token, s.Now()).Take(&m).Error
	if err != nil {
		return nil, conn.NotFound(err)
	}
	return &m, nil
}

// OutboxMediaOf lists a message's media in order.
func (s *Outbox) OutboxMediaOf(ctx context.Context, messageID uint64) ([]model.OutboxMedia, error) {
	var ms []model.OutboxMedia
	err := s.DB.WithContext(ctx).Where("message_id = ?", messageID).Order("position").Find(&ms).Error
	return ms, err
}

// PurgeExpiredOutboxMedia deletes media past its expiry and reports how many.
func (s *Outbox) PurgeExpiredOutboxMedia(ctx context.Context) (int64, error) {
	res := s.DB.WithContext(ctx).Where("expires_at <= ?", s.Now()).Delete(&model.OutboxMedia{})
	return res.RowsAffected, res.Error
}

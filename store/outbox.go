package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Outbound message statuses (Message.Status). An outbound message is the
// durable outbox entry of a Slack reply: OutboxKey makes it unique per Slack
// message, and its status says how far sending got.
const (
	// OutPending: committed, not attempted (or attempted and proven unsent).
	OutPending = "pending"
	// OutSending: an attempt was recorded and Telnyx called; no result yet.
	// Found on a restart, it means the outcome is unknown (ambiguous).
	OutSending = "sending"
	// OutAmbiguous: the attempt may or may not have reached the phone; a
	// person decides with "Send again".
	OutAmbiguous   = "ambiguous"
	OutRefused     = "refused"   // not sent by our own rules (too long, no PUBLIC_BASE_URL, …)
	OutNotSent     = "not_sent"  // Telnyx could not take it for too long; a person decides
	OutOptedOut    = "opted_out" // not sent: the recipient opted out
	OutQueued      = "queued"    // accepted by Telnyx
	OutSent        = "sent"      // message.sent
	OutDelivered   = "delivered"
	OutFailed      = "failed" // rejected by Telnyx, or finalized as not delivered
	OutUnconfirmed = "delivery_unconfirmed"
	OutExpired     = "expired"
)

// OutboxMedia is a file a teammate attached to a thread reply, fetched from
// Slack and served to Telnyx at PUBLIC_BASE_URL/media/{Token} until
// ExpiresAt. (MessageID, Position) is unique, so a retried send reuses the
// token it made the first time.
type OutboxMedia struct {
	Token       string `gorm:"primaryKey;size:64"`
	MessageID   uint64 `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:1"`
	Position    int    `gorm:"not null;uniqueIndex:ux_outbox_media_msg,priority:2"`
	Name        string `gorm:"size:255"`
	ContentType string `gorm:"size:128"`
	Body        []byte
	ExpiresAt   time.Time `gorm:"not null;index"`
	CreatedAt   time.Time
}

// UpdateMessageIf sets fields of message id only while its status is one of
// from, and reports whether it did: the compare-and-set that records a send
// attempt before Telnyx is called, and keeps a final delivery state final.
func (s *Store) UpdateMessageIf(ctx context.Context, id uint64, fields map[string]any, from ...string) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Message{}).Where("id = ? AND status IN ?", id, from).Updates(fields)
	return res.RowsAffected == 1, res.Error
}

// Message finds a message by id.
func (s *Store) Message(ctx context.Context, id uint64) (*Message, error) {
	var m Message
	if err := s.db.WithContext(ctx).Take(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// PutOutboxMedia stores m unless the message already has media at that
// position; then it loads the stored one into m. It reports whether m is new.
func (s *Store) PutOutboxMedia(ctx context.Context, m *OutboxMedia) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	msg, pos := m.MessageID, m.Position
	*m = OutboxMedia{}
	return false, notFound(s.db.WithContext(ctx).Where("message_id = ? AND position = ?", msg, pos).Take(m).Error)
}

// OutboxMediaByToken finds unexpired media by token; expired or unknown
// tokens are ErrNotFound alike.
func (s *Store) OutboxMediaByToken(ctx context.Context, token string) (*OutboxMedia, error) {
	var m OutboxMedia
	err := s.db.WithContext(ctx).Where("token = ? AND expires_at > ?", token, s.Now()).Take(&m).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// OutboxMediaOf lists a message's media in order.
func (s *Store) OutboxMediaOf(ctx context.Context, messageID uint64) ([]OutboxMedia, error) {
	var ms []OutboxMedia
	err := s.db.WithContext(ctx).Where("message_id = ?", messageID).Order("position").Find(&ms).Error
	return ms, err
}

// PurgeExpiredOutboxMedia deletes media past its expiry and reports how many.
func (s *Store) PurgeExpiredOutboxMedia(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.Now()).Delete(&OutboxMedia{})
	return res.RowsAffected, res.Error
}

// ConversationByPrevThread finds the conversation that once lived in thread
// (channel, threadTS) and has since moved to a newer one after a long
// silence (any earlier thread, not only the last).
func (s *Store) ConversationByPrevThread(ctx context.Context, channel, threadTS string) (*Conversation, error) {
	var c Conversation
	err := s.db.WithContext(ctx).
		Joins("JOIN threads ON threads.conversation_id = conversations.id").
		Where("threads.channel = ? AND threads.ts = ?", channel, threadTS).
		Where("NOT (conversations.channel = ? AND conversations.thread_ts = ?)", channel, threadTS).
		Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// The conversation's own record of its previous thread.
		err = s.db.WithContext(ctx).Where("prev_thread_ts = ? AND prev_channel = ?", threadTS, channel).Take(&c).Error
	}
	if err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// AddThread records that conversation id lives (or lived) in a thread.
func (s *Store) AddThread(ctx context.Context, conversationID uint64, channel, threadTS string) error {
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Thread{Channel: channel, TS: threadTS, ConversationID: conversationID, CreatedAt: s.Now()}).Error
}

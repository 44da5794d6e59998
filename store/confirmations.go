package store

import (
	"context"
	"time"
)

// Confirmation is a request held until a teammate presses Confirm
// (migration 18). The button carries only Token; Payload is the request
// (JSON, the caller's), which can be far longer than a button's value.
type Confirmation struct {
	Token     string    `gorm:"primaryKey;size:64"`
	Kind      string    `gorm:"size:32;not null"`
	UserID    string    `gorm:"size:32;not null"`
	Channel   string    `gorm:"size:32"`
	Payload   string    `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index:ix_confirmations_expires"`
	CreatedAt time.Time `gorm:"not null"`
}

// confirmationSweep bounds how many expired confirmations one hold deletes,
// so a hold stays one short transaction however many were left behind.
const confirmationSweep = 100

// HoldConfirmation keeps c until TakeConfirmation or its expiry, and
// deletes a few that have expired.
func (s *Store) HoldConfirmation(ctx context.Context, c *Confirmation) error {
	now := s.Now()
	c.CreatedAt = now
	db := s.db.WithContext(ctx)
	if err := db.Exec(`DELETE FROM confirmations WHERE token IN (SELECT token FROM confirmations WHERE expires_at < ? LIMIT ?)`,
		now, confirmationSweep).Error; err != nil {
		return err
	}
	return db.Create(c).Error
}

// TakeConfirmation removes and returns the confirmation token of kind, once:
// of two presses (two replicas, or a double click) one gets it and the
// other ErrNotFound, as does a press after the expiry.
func (s *Store) TakeConfirmation(ctx context.Context, kind, token string) (*Confirmation, error) {
	db := s.db.WithContext(ctx)
	var c Confirmation
	if err := db.Where("token = ? AND kind = ?", token, kind).Take(&c).Error; err != nil {
		return nil, notFound(err)
	}
	// Whoever deletes the row has it: the other press deletes nothing.
	res := db.Exec(`DELETE FROM confirmations WHERE token = ?`, token)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 || s.Now().After(c.ExpiresAt) {
		return nil, ErrNotFound
	}
	return &c, nil
}

package outbox

import (
	"context"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// confirmationSweep bounds how many expired confirmations one hold deletes,
// so a hold stays one short transaction however many were left behind.
const confirmationSweep = 100

// HoldConfirmation keeps c until TakeConfirmation or its expiry, and
// deletes a few that have expired.
func (s *Outbox) HoldConfirmation(ctx context.Context, c *model.Confirmation) error {
	now := s.Now()
	c.CreatedAt = now
	db := s.DB.WithContext(ctx)
	if err := db.Exec(`DELETE FROM confirmations WHERE token IN (SELECT token FROM confirmations WHERE expires_at < ? LIMIT ?)`,
		now, confirmationSweep).Error; err != nil {
		return err
	}
	return db.Create(c).Error
}

// TakeConfirmation removes and returns the confirmation token of kind, once:
// of two presses (two replicas, or a double click) one gets it and the
// other ErrNotFound, as does a press after the expiry.
func (s *Outbox) TakeConfirmation(ctx context.Context, kind, token string) (*model.Confirmation, error) {
	db := s.DB.WithContext(ctx)
	var c model.Confirmation
	if err := db.Where("token = ? AND kind = ?", token, kind).Take(&c).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	// Whoever deletes the row has it: the other press deletes nothing.
	res := db.Exec(`DELETE FROM confirmations WHERE token = ?`, token)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 || s.Now().After(c.ExpiresAt) {
		return nil, model.ErrNotFound
	}
	return &c, nil
}

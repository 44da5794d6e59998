package bridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Held is a request kept for its Confirm button, as TakeConfirmation gives
// it back: who asked, where, and the request itself.
type Held struct {
	User, Channel string
}

// HoldConfirmation keeps request (any JSON value) until a Confirm within
// ttl, in the store so that the press may reach any replica or come after
// a restart, and returns the token the button carries.
func (b *Bridge) HoldConfirmation(ctx context.Context, kind, user, channel string, request any, ttl time.Duration) (string, error) {
	payload, err := json.Marshal(request)
	if err != nil {
		return "", fmt.Errorf("hold %s confirmation: %w", kind, err)
	}
	var t [16]byte
	rand.Read(t[:])
	token := hex.EncodeToString(t[:])
	c := &store.Confirmation{Token: token, Kind: kind, UserID: user, Channel: channel,
		Payload: string(payload), ExpiresAt: b.st.Now().Add(ttl)}
	if err := b.st.HoldConfirmation(ctx, c); err != nil {
		return "", err
	}
	return token, nil
}

// TakeConfirmation gives the request held under token back into request,
// once: a second press, a token of another kind or a press after the
// expiry gets ErrNotFound.
func (b *Bridge) TakeConfirmation(ctx context.Context, kind, token string, request any) (Held, error) {
	c, err := b.st.TakeConfirmation(ctx, kind, token)
	if err != nil {
		return Held{}, err
	}
	if err := json.Unmarshal([]byte(c.Payload), request); err != nil {
		return Held{}, fmt.Errorf("held %s confirmation: %w", kind, err)
	}
	return Held{User: c.UserID, Channel: c.Channel}, nil
}

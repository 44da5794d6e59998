package outbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// Outbound MMS media: Telnyx fetches an MMS's media from URLs, so files a
// teammate attaches are downloaded from Slack (with the bot token) and
// served by smsbridge at PUBLIC_BASE_URL/media/{token}. A token is 32 random
// bytes, serves that one file, and expires after MediaTTL.

// prepareMedia returns the public URLs of msg's files, fetching and storing
// those not stored yet. A retry reuses the tokens made before.
func (o *Outbound) prepareMedia(ctx context.Context, msg *store.Message, urls []string) ([]string, error) {
	if _, err := o.st().PurgeExpiredOutboxMedia(ctx); err != nil {
		o.log.Warn("purge expired media", "err", err)
	}
	have, err := o.st().OutboxMediaOf(ctx, msg.ID)
	if err != nil {
		return nil, err
	}
	byPos := map[int]store.OutboxMedia{}
	var total int64
	for _, m := range have {
		byPos[m.Position] = m
		total += int64(len(m.Body))
	}
	out := make([]string, 0, len(urls))
	for i, u := range urls {
		m, ok := byPos[i]
		if !ok {
			left := o.cfg.MediaLimit - total
			if left <= 0 {
				return nil, domain.Permanent(fmt.Errorf("the files are larger than the %d KB one MMS can carry", o.cfg.MediaLimit>>10))
			}
			body, ctype, err := o.files.FetchSlackFile(ctx, u, left)
			if err != nil {
				if errors.Is(err, domain.ErrPermanent) {
					return nil, domain.Permanent(fmt.Errorf("a file could not be fetched from Slack (%v); one MMS carries at most %d KB", err, o.cfg.MediaLimit>>10))
				}
				return nil, fmt.Errorf("fetch slack file: %w", err)
			}
			total += int64(len(body))
			token, err := newMediaToken()
			if err != nil {
				return nil, err
			}
			m = store.OutboxMedia{Token: token, MessageID: msg.ID, Position: i, Name: path.Base(u), ContentType: ctype,
				Body: body, ExpiresAt: o.now().Add(o.cfg.MediaTTL), CreatedAt: o.now()}
			if _, err := o.st().PutOutboxMedia(ctx, &m); err != nil {
				return nil, err
			}
		}
		out = append(out, o.cfg.PublicBaseURL+"/media/"+m.Token)
	}
	return out, nil
}

func newMediaToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Media returns the file a token serves, with found false for a token that
// is unknown or expired.
func (o *Outbound) Media(ctx context.Context, token string) (body []byte, contentType string, found bool, err error) {
	if len(token) != 43 { // base64url of 32 bytes; anything else was never issued
		return nil, "", false, nil
	}
	m, err := o.st().OutboxMediaByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	return m.Body, ct, true, nil
}

// RunMediaJanitor deletes expired media every interval until ctx ends, so
// files do not stay in the database after their URLs stopped serving them.
func (o *Outbound) RunMediaJanitor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := o.st().PurgeExpiredOutboxMedia(ctx); err != nil && ctx.Err() == nil {
				o.log.Warn("purge expired media", "err", err)
			}
		}
	}
}

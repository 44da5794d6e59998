package telnyxhook

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Webhook signature headers.
const (
	HeaderSignature = "telnyx-signature-ed25519"
	HeaderTimestamp = "telnyx-timestamp"
)

// DefaultTolerance is how far a webhook's timestamp may be from now.
const DefaultTolerance = 300 * time.Second

// Verification failures. Each is safe to show to the caller.
var (
	ErrMissingSignature = errors.New("missing signature or timestamp header")
	ErrBadTimestamp     = errors.New("timestamp is not Unix seconds")
	ErrStaleTimestamp   = errors.New("timestamp outside the allowed window")
	ErrBadSignature     = errors.New("signature does not verify")
)

// Verifier checks Telnyx webhook signatures: Ed25519 over
// timestamp + "|" + raw body, with the account's public key.
type Verifier struct {
	key       ed25519.PublicKey
	tolerance time.Duration
	now       func() time.Time
}

// NewVerifier takes the public key as Telnyx shows it: base64 of 32 bytes.
func NewVerifier(publicKeyB64 string) (*Verifier, error) {
	raw, err := base64.StdEncoding.DecodeString(publicKeyB64)
	if err != nil {
		return nil, fmt.Errorf("TELNYX_PUBLIC_KEY is not base64: %w", err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("TELNYX_PUBLIC_KEY must be %d bytes, got %d", ed25519.PublicKeySize, len(raw))
	}
	return &Verifier{key: ed25519.PublicKey(raw), tolerance: DefaultTolerance, now: time.Now}, nil
}

// WithClock returns a copy of v that reads the time from now (for tests).
func (v *Verifier) WithClock(now func() time.Time) *Verifier {
	c := *v
	c.now = now
	return &c
}

// Verify checks the headers' signature over body.
func (v *Verifier) Verify(signatureB64, timestamp string, body []byte) error {
	if signatureB64 == "" || timestamp == "" {
		return ErrMissingSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := v.now().Sub(time.Unix(ts, 0)); d > v.tolerance || d < -v.tolerance {
		return ErrStaleTimestamp
	}
	sig, err := base64.StdEncoding.DecodeString(signatureB64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return ErrBadSignature
	}
	msg := make([]byte, 0, len(timestamp)+1+len(body))
	msg = append(msg, timestamp...)
	msg = append(msg, '|')
	msg = append(msg, body...)
	if !ed25519.Verify(v.key, msg, sig) {
		return ErrBadSignature
	}
	return nil
}

// Sign produces the headers Telnyx would send for body at ts with priv. It
// exists for tests and the load tool, which play Telnyx.
func Sign(priv ed25519.PrivateKey, ts time.Time, body []byte) (signatureB64, timestamp string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	msg := append([]byte(timestamp+"|"), body...)
	return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, msg)), timestamp
}

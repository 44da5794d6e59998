package sender

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/telnyx"
)

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }

// TelnyxSender is the SMSSender of the Telnyx Messaging API client: POST
// /messages from the conversation's number for one recipient, POST
// /messages/group_mms with every participant for a group. It classifies
// failures for the outbox; the client itself already waits out a short 429
// and retries a connection that failed before the request left, and never
// resends a POST that may have arrived.
type TelnyxSender struct {
	Client *telnyx.Client
	// ProfileID is TELNYX_MESSAGING_PROFILE_ID: the profile an
	// alphanumeric sender ID sends through, when the message names none.
	ProfileID string
}

// SendSMS implements SMSSender. A WhatsApp message goes to POST
// /messages/whatsapp as text.
func (s *TelnyxSender) SendSMS(ctx context.Context, m OutSMS) (*SentSMS, error) {
	to := domain.E164Strings(m.To)
	var (
		msg *telnyx.Message
		err error
	)
	profile := m.ProfileID
	if profile == "" && m.From != "" && !strings.HasPrefix(string(m.From), "+") && hasLetter(string(m.From)) {
		profile = s.ProfileID // an alphanumeric sender ID belongs to a profile
	}
	switch {
	case len(to) == 0:
		return nil, &SendError{Kind: SendRejected, Title: "no recipient", Err: errors.New("send: no recipient")}
	case m.Kind == domain.ConvWhatsApp:
		if len(to) != 1 {
			return nil, &SendError{Kind: SendRejected, Title: "a WhatsApp message goes to one number", Err: errors.New("send: whatsapp to several")}
		}
		body, _ := json.Marshal(map[string]any{"type": "text", "text": map[string]any{"body": m.Text}})
		wa, werr := s.Client.SendWhatsApp(ctx, telnyx.WhatsAppRequest{From: string(m.From), To: to[0], MessagingProfileID: profile, Message: body})
		if werr != nil {
			return nil, ClassifySendError(werr)
		}
		return &SentSMS{ID: wa.ID, From: m.From, Encoding: wa.Encoding}, nil
	case len(to) > 1:
		msg, err = s.Client.SendGroupMMS(ctx, telnyx.GroupMMSRequest{From: string(m.From), To: to, Text: m.Text, MediaURLs: m.MediaURLs})
	default:
		msg, err = s.Client.SendMessage(ctx, telnyx.SendRequest{From: string(m.From), MessagingProfileID: profile, To: to[0], Text: m.Text, MediaURLs: m.MediaURLs})
	}
	if err != nil {
		return nil, ClassifySendError(err)
	}
	out := &SentSMS{ID: msg.ID, From: domain.E164(msg.From.PhoneNumber), Parts: msg.Parts, Encoding: msg.Encoding}
	if len(msg.To) > 0 {
		out.Status = msg.To[0].Status
	}
	return out, nil
}

// ClassifySendError maps a Telnyx client error to what it means for the
// outbox. Anything not proven unsent is ambiguous.
func ClassifySendError(err error) *SendError {
	se := &SendError{Kind: SendAmbiguous, Err: err}
	var ae *telnyx.APIError
	if errors.As(err, &ae) && len(ae.Errors) > 0 {
		se.Code, se.Title = ae.Errors[0].Code, ae.Errors[0].Title
		if se.Title == "" {
			se.Title = ae.Errors[0].Detail
		}
	}
	if ae != nil && se.Title == "" {
		se.Title = http.StatusText(ae.StatusCode)
	}
	if reset, ok := telnyx.IsRateLimited(err); ok {
		se.Kind, se.RetryAt = SendNotSent, reset
		return se
	}
	switch {
	case telnyx.IsOptedOut(err):
		se.Kind = SendOptedOut
	case ae != nil && ae.HasCode(telnyx.CodeQueueFull):
		se.Kind = SendNotSent // refused for the sender's full queue: retry later
	case errors.Is(err, telnyx.ErrInvalidRequest):
		se.Kind = SendRejected
	case ae != nil && telnyx.NotSent(err):
		se.Kind = SendRejected // a 4xx: Telnyx will refuse it again
	case telnyx.NotSent(err):
		se.Kind = SendNotSent // never left this process
	}
	return se
}

// DefaultSegments counts text's SMS parts and names its encoding
// (phone.Segments): Config.Segments when none is given.
func DefaultSegments(text string) (int, string) {
	s := phone.Segments(text)
	return s.Segments, s.Encoding
}

// --- the sending port: what the outbox asks of Telnyx ---

// OutSMS is one send: an SMS or MMS to one remote, a group MMS to all, or
// a WhatsApp message.
type OutSMS struct {
	Kind string      // domain.ConvSMS ("" too) or domain.ConvWhatsApp
	From domain.E164 // empty for a number pool: ProfileID's pool picks one
	// ProfileID is the messaging profile of a pool or sender-ID send.
	ProfileID string
	To        []domain.E164
	Text      string
	MediaURLs []string
}

// SentSMS is what Telnyx answered to an accepted send.
type SentSMS struct {
	ID       string
	From     domain.E164 // the number Telnyx sent from (a pool's choice)
	Status   string
	Parts    int
	Encoding string
}

// SMSSender sends through the Telnyx Messaging API. Its errors should be
// *SendError so the pipeline knows whether the send may have happened; any
// other error counts as ambiguous, which is never resent blindly.
type SMSSender interface {
	SendSMS(ctx context.Context, m OutSMS) (*SentSMS, error)
}

// SendErrorKind is what a failed send means for sending it again.
type SendErrorKind int

const (
	// SendAmbiguous: it may have been sent. The zero value, so that an
	// unclassified failure is treated the safe way.
	SendAmbiguous SendErrorKind = iota
	// SendNotSent: provably not sent (429, connection refused); safe to retry.
	SendNotSent
	// SendOptedOut: Telnyx refused with 40300, the recipient sent STOP.
	SendOptedOut
	// SendRejected: Telnyx refused the request (4xx); sending it again
	// unchanged cannot succeed.
	SendRejected
)

// SendError is a classified send failure.
type SendError struct {
	Kind SendErrorKind
	// RetryAt is when a rate limit resets (SendNotSent after a 429).
	RetryAt time.Time
	Code    string // Telnyx error code, e.g. "40300"
	Title   string // Telnyx error title, for the thread
	Err     error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// ErrorOf is err as a SendError: an unclassified failure is ambiguous.
func ErrorOf(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Kind: SendAmbiguous, Err: err}
}

package bridge

import (
	"context"
	"errors"
	"net/http"

	"github.com/smsbridge/smsbridge/telnyx"
)

// TelnyxSender is the SMSSender of the Telnyx Messaging API client: POST
// /messages from the conversation's number for one recipient, POST
// /messages/group_mms with every participant for a group. It classifies
// failures for the outbox; the client itself already waits out a short 429
// and retries a connection that failed before the request left, and never
// resends a POST that may have arrived.
type TelnyxSender struct {
	Client *telnyx.Client
}

// SendSMS implements SMSSender.
func (s *TelnyxSender) SendSMS(ctx context.Context, m OutSMS) (*SentSMS, error) {
	to := e164Strings(m.To)
	var (
		msg *telnyx.Message
		err error
	)
	switch {
	case len(to) == 0:
		return nil, &SendError{Kind: SendRejected, Title: "no recipient", Err: errors.New("send: no recipient")}
	case len(to) > 1:
		msg, err = s.Client.SendGroupMMS(ctx, telnyx.GroupMMSRequest{From: string(m.From), To: to, Text: m.Text, MediaURLs: m.MediaURLs})
	default:
		msg, err = s.Client.SendMessage(ctx, telnyx.SendRequest{From: string(m.From), To: to[0], Text: m.Text, MediaURLs: m.MediaURLs})
	}
	if err != nil {
		return nil, ClassifySendError(err)
	}
	out := &SentSMS{ID: msg.ID, Parts: msg.Parts, Encoding: msg.Encoding}
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

// defaultSegments counts with the client's GSM-7/UCS-2 rules.
func defaultSegments(text string) (int, string) {
	s := telnyx.Segments(text)
	return s.Segments, s.Encoding
}

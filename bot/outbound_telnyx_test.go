package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge"
)

// outFake is the Telnyx side of the outbound tests. (Until the Telnyx
// client lands it is an in-process sender scripted with bridge.SendError.)
type outFake struct {
	t     *testing.T
	mu    sync.Mutex
	sent  []obSend
	fails []obFail
	n     int
	// after runs after a send was accepted, before the answer returns.
	after func()
}

type obSend struct {
	From      string
	To        []string
	Text      string
	MediaURLs []string
	Group     bool
}

type obFail int

const (
	failRateLimited obFail = iota + 1 // 429 with a short Retry-After
	failOptedOut                      // 40300
	failServerError                   // 500 after the request was sent
	failRejected                      // 422 invalid request
)

func newOutFake(t *testing.T) *outFake { return &outFake{t: t} }

func (f *outFake) failNext(kinds ...obFail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, kinds...)
}

func (f *outFake) sends() []obSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]obSend(nil), f.sent...)
}

// attempts counts send requests that reached Telnyx, failed ones included.
func (f *outFake) attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *outFake) sender() bridge.SMSSender { return fakeSender{f} }

type fakeSender struct{ f *outFake }

func (s fakeSender) SendSMS(ctx context.Context, m bridge.OutSMS) (*bridge.SentSMS, error) {
	f := s.f
	f.mu.Lock()
	f.n++
	var fail obFail
	if len(f.fails) > 0 {
		fail, f.fails = f.fails[0], f.fails[1:]
	}
	switch fail {
	case failRateLimited:
		f.mu.Unlock()
		return nil, &bridge.SendError{Kind: bridge.SendNotSent, RetryAt: time.Now().Add(20 * time.Millisecond), Err: errors.New("429")}
	case failOptedOut:
		f.mu.Unlock()
		return nil, &bridge.SendError{Kind: bridge.SendOptedOut, Code: "40300", Title: "Blocked due to STOP message", Err: errors.New("422 40300")}
	case failServerError:
		f.mu.Unlock()
		return nil, &bridge.SendError{Kind: bridge.SendAmbiguous, Err: errors.New("telnyx: POST /messages: 500 Internal Server Error")}
	case failRejected:
		f.mu.Unlock()
		return nil, &bridge.SendError{Kind: bridge.SendRejected, Code: "40310", Title: "Invalid 'to' address", Err: errors.New("422")}
	}
	to := make([]string, len(m.To))
	for i, r := range m.To {
		to[i] = string(r)
	}
	f.sent = append(f.sent, obSend{From: string(m.From), To: to, Text: m.Text, MediaURLs: m.MediaURLs, Group: len(to) > 1})
	id := fmt.Sprintf("40385f64-5717-4562-b3fc-%012d", len(f.sent))
	after := f.after
	f.mu.Unlock()
	if after != nil {
		after()
	}
	return &bridge.SentSMS{ID: id, Status: "queued", Parts: 1, Encoding: "GSM-7"}, nil
}

package domain

import (
	"errors"
	"time"
)

// The retry contract (invariant 11). Every layer that does work for a stored
// event answers with one of four outcomes, and the engine alone decides what
// happens next:
//
//   - done: a nil error. The event is finished.
//   - permanent: an error wrapping ErrPermanent (see Permanent), whose text
//     a person reads (in the thread, in /metrics' failed events). Retrying
//     cannot fix it, so the event is failed and not tried again.
//   - ambiguous: the work may have happened (an SMS handed to Telnyx with no
//     answer). It is recorded and shown with a way for a person to act
//     (Send again), and the handler returns done or permanent: an ambiguous
//     outcome is never retried on its own, so nothing is sent twice.
//   - retry at a time: a transient error. Any other error is retried with
//     the engine's backoff; one carrying a time (RetryAt: Slack's
//     Retry-After, Telnyx's rate-limit reset, a budget's next token) is
//     retried no earlier than that time. Until then the whole lane waits,
//     so order holds, and a new event in the lane does not cut the wait
//     short (the store keeps a future due_at).
//
// Whoever learns the time says so with RetryAt; layers in between only wrap
// the error (fmt.Errorf("...: %w", err), errors.Join), which keeps it.

// RetryAt marks err as transient and due again no earlier than at. The
// result wraps err, so errors.Is and errors.As still see it. A nil err stays
// nil.
func RetryAt(err error, at time.Time) error {
	if err == nil {
		return nil
	}
	return &retryAtError{err: err, at: at}
}

type retryAtError struct {
	err error
	at  time.Time
}

func (e *retryAtError) Error() string      { return e.err.Error() }
func (e *retryAtError) Unwrap() error      { return e.err }
func (e *retryAtError) RetryAt() time.Time { return e.at }

// RetryTime is the time err asks to be retried at: the latest of the
// RetryAt() times of every error in its chain (wrapped or joined), whoever
// set them. ok is false when none does.
func RetryTime(err error) (at time.Time, ok bool) {
	walk(err, func(e error) {
		if w, is := e.(interface{ RetryAt() time.Time }); is {
			if t := w.RetryAt(); !ok || t.After(at) {
				at, ok = t, true
			}
		}
	})
	return at, ok
}

// walk calls f for err and every error it wraps, depth first, as errors.Is
// does.
func walk(err error, f func(error)) {
	if err == nil {
		return
	}
	f(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, f)
		}
	}
}

// ErrPermanent marks an error that retrying cannot fix (a Slack ok:false
// other than rate limiting, a 4xx from Telnyx). The pipelines stop retrying
// work that fails with it and record the failure instead.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() []error      { return []error{e.err, ErrPermanent} }
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }

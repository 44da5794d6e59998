package gcra_test

import (
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/gcra"
)

// With no tolerance a key takes one call per interval; a call refused
// says how long until its turn and takes nothing, so a refusal never
// pushes the next allowed call later; another key has its own turns.
func TestRefusedCallTakesNothingAndKeysAreApart(t *testing.T) {
	var l gcra.Limiter
	t0 := time.Unix(1700000000, 0)
	sec := time.Second
	if w := l.Take("a", sec, 0, t0); w != 0 {
		t.Fatalf("first call waits %v", w)
	}
	for range 3 { // refused again and again: none of them costs a turn
		if w := l.Take("a", sec, 0, t0.Add(400*time.Millisecond)); w != 600*time.Millisecond {
			t.Fatalf("call before its turn: wait %v, want 600ms", w)
		}
	}
	if w := l.Take("b", sec, 0, t0); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
	if w := l.Take("a", sec, 0, t0.Add(sec)); w != 0 {
		t.Fatalf("call at its turn after refusals waits %v", w)
	}
}

// The tolerance lets a call come that much early: burst-1 intervals
// allow a burst, and a slack below one interval allows jitter, not a
// second call at once.
func TestToleranceAllowsBurstAndJitterOnly(t *testing.T) {
	var l gcra.Limiter
	t0 := time.Unix(1700000000, 0)
	sec := time.Second
	for i := range 3 { // burst of 3: tau = 2 intervals
		if w := l.Take("k", sec, 2*sec, t0); w != 0 {
			t.Fatalf("call %d of the burst waits %v", i+1, w)
		}
	}
	if w := l.Take("k", sec, 2*sec, t0); w != sec {
		t.Fatalf("fourth at once: wait %v, want 1s", w)
	}
	var j gcra.Limiter
	slack := 100 * time.Millisecond
	j.Take("k", sec, slack, t0)
	if w := j.Take("k", sec, slack, t0); w != sec-slack {
		t.Fatalf("second at once with jitter slack: wait %v, want %v", w, sec-slack)
	}
	if w := j.Take("k", sec, slack, t0.Add(sec-slack)); w != 0 {
		t.Fatalf("a call within the slack of its turn waits %v", w)
	}
	j.Reset()
	if w := j.Take("k", sec, slack, t0.Add(sec-slack)); w != 0 {
		t.Fatalf("after Reset: wait %v", w)
	}
}

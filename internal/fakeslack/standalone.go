package fakeslack

import (
	"fmt"
	"slices"
	"sync"
)

// standalone stands in for testing.TB when a program runs the fake (Start):
// cleanups run at Close, and what would fail a test panics, since a
// program has no test to fail.
type standalone struct {
	mu       sync.Mutex
	cleanups []func()
}

func (*standalone) Helper() {}

func (*standalone) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

func (a *standalone) Cleanup(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cleanups = append(a.cleanups, f)
}

// close runs the cleanups, last registered first, as testing does.
func (a *standalone) close() {
	a.mu.Lock()
	fs := slices.Clone(a.cleanups)
	a.cleanups = nil
	a.mu.Unlock()
	for _, f := range slices.Backward(fs) {
		f()
	}
}

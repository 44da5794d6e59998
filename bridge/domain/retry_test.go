package domain

import (
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

func TestRetryAtKeepsTheErrorAndItsTimeThroughWrapping(t *testing.T) {
	at := time.Date(2026, 8, 20, 15, 0, 30, 0, time.UTC)
	err := fmt.Errorf("post inbound text: %w", RetryAt(io.ErrUnexpectedEOF, at))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("errors.Is lost the cause")
	}
	if got, ok := RetryTime(err); !ok || !got.Equal(at) {
		t.Errorf("RetryTime = %v, %v; want %v", got, ok, at)
	}
	if _, ok := RetryTime(errors.New("plain")); ok {
		t.Error("a plain error has a retry time")
	}
	if RetryAt(nil, at) != nil {
		t.Error("RetryAt(nil) is not nil")
	}
}

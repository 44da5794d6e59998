package inbound

import (
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
)

func TestWaitAgeIsCoarserAsItGrows(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "under 1 min", 7 * time.Minute: "7 min", 27 * time.Minute: "25 min",
		3*time.Hour + 59*time.Minute: "3 h", 50 * time.Hour: "2 d",
	} {
		if got := domain.WaitAge(d); got != want {
			t.Errorf("WaitAge(%s) = %q, want %q", d, got, want)
		}
	}
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := nextAgeChange(since, since.Add(27*time.Minute)); !got.Equal(since.Add(30 * time.Minute)) {
		t.Errorf("next change at 27 min: %s", got.Sub(since))
	}
}

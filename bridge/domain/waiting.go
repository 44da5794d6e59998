package domain

import (
	"fmt"
	"strconv"
	"time"
)

// WaitAge says how long a conversation has waited, coarser as it grows so
// a header's age need not change often: "under 1 min", "7 min" (each
// minute to 10), "25 min" (5-minute steps to an hour), "3 h", "2 d".
func WaitAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under 1 min"
	case d < 10*time.Minute:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/(5*time.Minute))*5)
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
	}
}

// WaitingText is what a header says about the wait: "waiting 12 min, 3
// new", or "" when nobody waits.
func (h Header) WaitingText() string {
	if h.WaitingSince.IsZero() {
		return ""
	}
	s := "waiting"
	if !h.AsOf.IsZero() {
		s += " " + WaitAge(h.AsOf.Sub(h.WaitingSince))
	}
	if h.WaitingNew > 0 {
		s += ", " + strconv.Itoa(h.WaitingNew) + " new"
	}
	return s
}

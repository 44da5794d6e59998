package domain

import (
	"fmt"
	"strings"
	"time"
)

func OrDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func HumanDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return strings.TrimSuffix(d.String(), "0s")
}

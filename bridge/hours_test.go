package bridge

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSetHoursStoresTheWeekAndRefusesAnUnknownZone(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.b.SetHours(ctx, "+18445550001", strings.Fields("mon-fri 09:00-17:30 Mars/Olympus"), "UADMIN"); !errors.Is(err, ErrWeek) || !strings.Contains(err.Error(), "not a time zone") {
		t.Fatalf("unknown zone: %v", err)
	}
	if _, err := h.b.SetHours(ctx, "+18445550001", strings.Fields("mon-fri 09:00-17:30 Local"), "UADMIN"); !errors.Is(err, ErrWeek) {
		t.Fatalf("the process's local zone was taken: %v", err)
	}
	got, err := h.b.SetHours(ctx, "+18445550001", strings.Fields("mon-fri 9:00-17:30 sat 10:00-12:00 Europe/Berlin"), "UADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if got.Week.String() != "mon-fri 09:00-17:30, sat 10:00-12:00" || got.Loc.String() != "Europe/Berlin" || got.SetBy != "UADMIN" {
		t.Fatalf("stored hours: %+v", got)
	}
	if err := h.b.AddHoliday(ctx, "+18445550001", "25.12.2026", "UADMIN"); !errors.Is(err, ErrWeek) {
		t.Fatalf("a malformed holiday: %v", err)
	}
	if err := h.b.SetAutoReply(ctx, "+18445550001", strings.Repeat("closed ", 300), "UADMIN"); !errors.Is(err, ErrWeek) || !strings.Contains(err.Error(), "segments") {
		t.Fatalf("an auto-reply longer than one SMS can be: %v", err)
	}
}

package bridge

import (
	"context"
	"log/slog"

	"github.com/smsbridge/smsbridge/bridge/schedule"
)

// The scheduler is package schedule's; these names keep its importers (the
// Slack side, cmd/smsbridge) unchanged.
type (
	Scheduler       = schedule.Scheduler
	ScheduleRequest = schedule.ScheduleRequest
	ScheduleAPI     = schedule.ScheduleAPI
	NotYoursError   = schedule.NotYoursError
)

const (
	EventHandoff          = schedule.EventHandoff
	TelnyxMinAhead        = schedule.TelnyxMinAhead
	TelnyxMaxAhead        = schedule.TelnyxMaxAhead
	ActionCancelScheduled = schedule.ActionCancelScheduled
)

var (
	ErrTooSoon        = schedule.ErrTooSoon
	ErrNotCancellable = schedule.ErrNotCancellable
)

// NewScheduler makes a scheduler on the bridge's store and engine. It
// registers itself for opt-outs: a STOP cancels what is scheduled to that
// number.
func NewScheduler(b *Bridge, api ScheduleAPI, log *slog.Logger) *Scheduler {
	return schedule.New(b, b.st, b.engine, api, log)
}

// NumbersOf is our number and, with a profile, every number known to be on
// it: what a STOP to our number blocks (schedule.Domain).
func (b *Bridge) NumbersOf(ctx context.Context, our E164, profile string) ([]string, error) {
	return b.consent.NumbersOf(ctx, our, profile)
}

var _ schedule.Domain = (*Bridge)(nil)

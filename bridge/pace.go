package bridge

import (
	"github.com/smsbridge/smsbridge/bridge/pace"
)

// Pacing lives in package pace (sender kinds, rates, the Pacer); these
// names keep the outbox's importers unchanged.
type (
	SenderKind  = pace.SenderKind
	Rate        = pace.Rate
	SenderRates = pace.SenderRates
	Budgets     = pace.Budgets
	Pacer       = pace.Pacer
)

const (
	SenderLongCode     = pace.SenderLongCode
	SenderTollFree     = pace.SenderTollFree
	SenderShortCode    = pace.SenderShortCode
	SenderAlphanumeric = pace.SenderAlphanumeric
	QueueFullPause     = pace.QueueFullPause
)

var (
	SenderKindOf     = pace.SenderKindOf
	DefaultRate      = pace.DefaultRate
	ParseSenderRates = pace.ParseSenderRates
	NewPacer         = pace.NewPacer
)

package bridge

import "github.com/smsbridge/smsbridge/bridge/domain"

// The retry contract (invariant 11) is package domain's (domain/retry.go),
// so that the engine and every pipeline share it.
var (
	RetryAt   = domain.RetryAt   // marks err as transient and due again no earlier than at
	RetryTime = domain.RetryTime // the latest time err's chain asks to be retried at
)

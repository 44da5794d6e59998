package bridge

import "github.com/smsbridge/smsbridge/bridge/conv"

// The retry contract (invariant 11) is package conv's (conv/retry.go),
// so that the engine and every pipeline share it.
var (
	RetryAt   = conv.RetryAt   // marks err as transient and due again no earlier than at
	RetryTime = conv.RetryTime // the latest time err's chain asks to be retried at
)

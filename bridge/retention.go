package bridge

import "github.com/smsbridge/smsbridge/bridge/retention"

// Retention is package retention's; these names keep cmd/smsbridge's
// wiring unchanged.
type (
	RetentionConfig = retention.Config  // how long history is kept
	Janitor         = retention.Janitor // applies it in small steps
)

// NewJanitor makes a janitor; Run starts it.
var NewJanitor = retention.New

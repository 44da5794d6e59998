package bridge

import "github.com/smsbridge/smsbridge/bridge/lanes"

// The engine is package lanes'; these names keep the bridge's importers
// unchanged.
type (
	Engine       = lanes.Engine  // runs stored events through their handlers, lane by lane
	EngineConfig = lanes.Config  // tunes the workers
	Handler      = lanes.Handler // does the work of one stored event
)

// NewEngine makes an engine; register handlers before Run.
var NewEngine = lanes.New

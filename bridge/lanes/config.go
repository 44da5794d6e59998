package lanes

import "time"

// Config tunes the workers. Zero fields take the defaults below.
type Config struct {
	Workers int // concurrent lanes; zero: DefaultWorkers
	// Lease is how long a claimed lane stays ours without renewal; zero:
	// DefaultLease. The heartbeat renews it every third of that while a
	// handler runs, so a dead process's lanes are taken by others within a
	// lease.
	Lease        time.Duration
	PollInterval time.Duration // how often idle workers look for due lanes; zero: DefaultPollInterval
	MaxAttempts  int           // attempts before an event is failed; zero: DefaultMaxAttempts
	BaseBackoff  time.Duration // first retry delay; zero: DefaultBaseBackoff
	MaxBackoff   time.Duration // retry delay cap; zero: DefaultMaxBackoff
	// DrainTimeout bounds how long in-flight work may run after Run's
	// context is cancelled; zero: DefaultDrainTimeout.
	DrainTimeout time.Duration
	// Instance is the process's stable id (SMSBRIDGE_INSTANCE_ID, or the
	// host name): a restart under the same id takes its dead predecessor's
	// leases back at once (instance.go). Empty: a new id every start, and
	// a crashed process's leases run out.
	Instance string
	// InstanceBeat is how often the instance says it is alive; zero:
	// DefaultInstanceBeat.
	InstanceBeat time.Duration
}

// The defaults of the Config fields left zero.
const (
	DefaultWorkers      = 4
	DefaultLease        = 10 * time.Second
	DefaultPollInterval = time.Second
	DefaultMaxAttempts  = 60 // about 4h with the default backoff
	DefaultBaseBackoff  = time.Second
	DefaultMaxBackoff   = 5 * time.Minute
	DefaultDrainTimeout = 10 * time.Second
	DefaultInstanceBeat = time.Second
)

// withDefaults fills the fields left zero.
func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = DefaultBaseBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.InstanceBeat <= 0 {
		c.InstanceBeat = DefaultInstanceBeat
	}
	return c
}

package inbound

import (
	"testing"
	"time"
)

func TestConfigFillsTheNamedDefaultsOnlyWhereLeftZero(t *testing.T) {
	c := Config{}.withDefaults()
	w := c.Waiting
	if c.Silence != DefaultSilence || c.MediaLimit != DefaultMediaLimit || c.AutoReplyEvery != DefaultAutoReplyEvery {
		t.Errorf("inbound defaults: %+v", c)
	}
	if w.Tick != DefaultWaitingTick || w.HeaderDebounce != DefaultHeaderDebounce ||
		w.HeadersPerTick != DefaultHeadersPerTick || w.NudgesPerTick != DefaultNudgesPerTick || w.NudgeAfter != 0 {
		t.Errorf("waiting defaults: %+v", w)
	}
	set := WaitingConfig{Tick: time.Second, HeaderDebounce: 2 * time.Second, HeadersPerTick: 3, NudgesPerTick: 4, NudgeAfter: time.Hour}
	if got := (Config{Silence: time.Hour, Waiting: set}).withDefaults(); got.Waiting != set || got.Silence != time.Hour {
		t.Errorf("set fields changed: %+v", got)
	}
}

package consent

import (
	"sync"
	"time"
)

// seenNumbers remembers which of our numbers this process wrote to
// our_numbers lately, and with which profile, so the write every inbound
// text would make (RememberNumber) is made once a minute per number
// instead. A number written with no profile exists for good (rows are
// never deleted); a profile is written again after seenFor even when it
// is the same, so one another replica changed meanwhile is set back by
// the next text within a minute, as it would have been at once.
type seenNumbers struct {
	mu sync.Mutex
	m  map[string]seenNumber
}

type seenNumber struct {
	profile string
	at      time.Time
}

const seenFor = time.Minute

// known reports whether remembering (number, profile) now would change
// nothing this process has not written within seenFor. A number known
// with a profile is known without one too.
func (n *seenNumbers) known(number, profile string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.m[number]
	if !ok {
		return false
	}
	if profile == "" {
		return true
	}
	return s.profile == profile && now.Sub(s.at) < seenFor
}

func (n *seenNumbers) wrote(number, profile string, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[string]seenNumber{}
	}
	if profile == "" {
		if _, ok := n.m[number]; ok {
			return // keep the profile it is known with
		}
	}
	n.m[number] = seenNumber{profile: profile, at: now}
}

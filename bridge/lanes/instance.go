package lanes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// A restart takes its work back at once. Each process has a stable
// instance id (Config.Instance: SMSBRIDGE_INSTANCE_ID, or the host
// name) and a boot, new every start; its lease owners are id/boot/worker.
// At start the engine takes the id in the store (the instances row) and, in
// the same transaction, releases every lease of an earlier boot of that id:
// those were its own, and the process that held them is dead. Other
// replicas' leases still run out by themselves, within Lease.
//
// Two live processes must never share an id, or one would take the other's
// lanes mid-work. So the row carries a heartbeat: when it beat recently the
// new process watches it for a few beats first, and if it still moves,
// another process holds the id; this one then runs under an id of its own
// for this boot (and says so), and only its leases' running out recovers
// its work if it dies.

// startInstance takes the instance id and starts its heartbeat; stop ends
// the heartbeat and records a clean stop.
func (e *Engine) startInstance(ctx context.Context) (stop func()) {
	id := e.cfg.Instance
	if e.takeInstance(ctx, id) {
		e.instance = id
		e.owner = store.OwnerPrefix(id) + e.boot + "/"
	} else {
		// Unique for this boot; nobody will take these leases back early.
		e.instance = ""
		e.owner = store.OwnerPrefix(id+"~"+e.boot) + e.boot + "/"
		return func() {}
	}
	beatCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(e.cfg.InstanceBeat)
		defer t.Stop()
		for {
			select {
			case <-beatCtx.Done():
				return
			case <-t.C:
				err := e.st.BeatInstance(beatCtx, id, e.boot)
				if errors.Is(err, store.ErrNotFound) {
					// Our leases are per boot, so the newcomer cannot
					// renew them as its own; it released them, and our
					// heartbeats stop the handlers that held them.
					e.log.Error("another process took this instance id", "instance", id)
					return
				}
				if err != nil && beatCtx.Err() == nil {
					e.log.Warn("instance heartbeat", "instance", id, "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		stopCtx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		if err := e.st.StopInstance(stopCtx, id, e.boot); err != nil {
			e.log.Warn("record clean stop", "instance", id, "err", err)
		}
	}
}

// takeInstance makes this boot the holder of id, releasing the leases of
// its earlier boots; false when a live process holds id.
func (e *Engine) takeInstance(ctx context.Context, id string) bool {
	for attempt := 0; attempt < 3 && ctx.Err() == nil; attempt++ {
		in, err := e.st.GetInstance(ctx, id)
		prev := ""
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			e.log.Error("read instance", "instance", id, "err", err)
			return false
		default:
			prev = in.Boot
			if e.mayBeAlive(in) {
				// Wait long enough for a live holder to beat twice.
				select {
				case <-ctx.Done():
					return false
				case <-time.After(5 * e.cfg.InstanceBeat / 2):
				}
				again, err := e.st.GetInstance(ctx, id)
				if err != nil || again.Boot != in.Boot || !sameTime(again.BeatAt, in.BeatAt) {
					e.log.Warn("another live process uses this instance id; running under an id of this boot (set SMSBRIDGE_INSTANCE_ID per replica)", "instance", id)
					return false
				}
			}
		}
		taken, released, err := e.st.TakeInstance(ctx, id, e.boot, prev)
		if err != nil {
			e.log.Error("take instance", "instance", id, "err", err)
			return false
		}
		if taken {
			e.log.Info("instance started", "instance", id, "boot", e.boot, "leases_taken_back", released)
			return true
		}
	}
	return false
}

// mayBeAlive: the holder beat within three beats, so it may be running.
func (e *Engine) mayBeAlive(in *store.Instance) bool {
	return in.BeatAt != nil && e.st.Now().Sub(*in.BeatAt) < 3*e.cfg.InstanceBeat
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

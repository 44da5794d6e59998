// Package lanes is the engine: workers claim a lane (a conversation's
// queue of stored events) with a lease in the store, run its events through
// their handlers in order, and settle each by the retry contract
// (domain/retry.go). It owns the lease, the heartbeat, backoff, the drain at
// shutdown and the instance id a restart takes back (instance.go). Of
// smsbridge it imports only the store and bridge/domain; it must not import
// the bridge, gin, slack-go, webhooks or the Slack packages.
package lanes

import (
	"context"
	"errors"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// Handler does the work of one stored event. A nil error marks the event
// done; an error wrapping ErrPermanent marks it failed; any other error is
// retried later with backoff, or at the time RetryAt gave it when that is
// later, and holds back the rest of its lane so order inside a conversation
// is kept (the retry contract: retry.go).
type Handler func(ctx context.Context, ev *store.Event) error

// Engine runs stored events through their handlers. Workers claim a lane
// (a conversation's queue) with a lease in the store, not in memory, so a
// crashed process's work is taken again when its lease runs out, and several
// replicas on one database could share the work.
type Engine struct {
	st  *store.Store
	log *slog.Logger
	cfg Config
	// owner begins every lease owner of this process: the instance id, this
	// boot, then the worker's number.
	owner    string
	boot     string
	instance string
	handlers map[string]Handler
	wake     chan struct{}
}

// New makes an engine; register handlers before Run.
func New(st *store.Store, log *slog.Logger, cfg Config) *Engine {
	cfg = cfg.withDefaults()
	boot := randomHex(4)
	return &Engine{
		st: st, log: log, cfg: cfg,
		boot:     boot,
		owner:    store.OwnerPrefix("w-"+randomHex(6)) + boot + "/",
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
	}
}

func handlerKey(source, typ string) string { return source + "\x00" + typ }

// Handle registers h for events of source and type.
func (e *Engine) Handle(source, typ string, h Handler) { e.handlers[handlerKey(source, typ)] = h }

// Wants reports whether events of source and type have a handler; those
// without one are stored as ignored.
func (e *Engine) Wants(source, typ string) bool {
	_, ok := e.handlers[handlerKey(source, typ)]
	return ok
}

// Notify wakes an idle worker: new work was committed.
func (e *Engine) Notify() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx is cancelled, then lets in-flight work finish (bounded
// by DrainTimeout) and returns.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if e.cfg.Instance != "" {
		stop := e.startInstance(ctx)
		defer stop()
	}
	// PostgreSQL: work committed by any replica wakes a worker here at
	// once; the poll stays as the fallback.
	wg.Add(1)
	go func() { defer wg.Done(); e.st.ListenForWork(ctx, e.log, e.Notify) }()
	for i := 0; i < e.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.worker(ctx, i)
		}()
	}
	wg.Wait()
}

func (e *Engine) worker(ctx context.Context, n int) {
	owner := e.owner + strconv.Itoa(n)
	tick := time.NewTicker(e.cfg.PollInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		lane, ok, err := e.st.ClaimLane(ctx, owner, e.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			e.log.Error("claim lane", "err", err)
		}
		if ok {
			// Pass the wake-up on: more lanes may be due than this worker
			// takes, and a notification wakes only one worker.
			e.Notify()
			e.RunLane(ctx, lane, owner)
			// Another lane may be due already: look again before sleeping,
			// and pass the wake-up on so no idle worker misses it.
			continue
		}
		select {
		case <-ctx.Done():
		case <-e.wake:
		case <-tick.C:
		}
	}
}

// laneReadAhead is how many of a lane's pending events one read takes.
const laneReadAhead = 8

// RunLane handles the lane's due events in order until it is empty, an event
// must wait for a retry, or the engine stops. The caller has claimed the
// lane under owner (store.ClaimLane): the workers do, and tests that step
// lanes one at a time.
func (e *Engine) RunLane(ctx context.Context, lane, owner string) {
	// Work already started finishes even when ctx is cancelled, within the
	// drain bound: a half-posted message is worse than a late shutdown.
	work := context.WithoutCancel(ctx)
	defer func() {
		if err := e.st.ReleaseLane(work, lane, owner); err != nil {
			e.log.Error("release lane", "lane", lane, "err", err)
		}
	}()
	// The claim has just set the lease, and each renewal sets a whole one:
	// an event that starts within a third of a lease of the last renewal
	// needs no round trip to renew (the heartbeat covers a long handler
	// from its start, renewing a third later), so a lane of quick events
	// renews once every third of a lease, not before every event. A lease
	// lost meanwhile is noticed all the same: that takes a whole lease
	// without renewal, so the next event renews and finds it gone.
	renewed := e.st.Now()
	// The lane's pending events are read laneReadAhead at a time: under a
	// burst a conversation has many waiting, and one read each was a round
	// trip per event. Only this lease's holder changes them, so what was
	// read stays true; one that arrives meanwhile is read after them.
	var ahead []*store.Event
	for ctx.Err() == nil {
		if len(ahead) == 0 {
			evs, err := e.st.NextEvents(work, lane, laneReadAhead)
			if err != nil {
				e.log.Error("next event", "lane", lane, "err", err)
				return
			}
			if len(evs) == 0 {
				return
			}
			ahead = evs
		}
		ev := ahead[0]
		ahead = ahead[1:]
		if now := e.st.Now(); now.Sub(renewed) >= e.cfg.Lease/3 {
			if err := e.st.RenewLease(work, lane, owner, e.cfg.Lease); err != nil {
				return // lost the lease: someone else has the lane now
			}
			renewed = now
		}
		h := e.handlers[handlerKey(ev.Source, ev.Type)]
		if h == nil {
			e.finish(work, ev, store.EventIgnored, "")
			continue
		}
		hctx, cancel := drainContext(ctx, e.cfg.DrainTimeout)
		stopBeat := e.heartbeat(hctx, cancel, lane, owner)
		err := h(hctx, ev)
		lost := stopBeat()
		cancel()
		if !e.settle(work, lane, owner, ev, err, lost) {
			return
		}
	}
}

// settle records what the handler answered for ev (the retry contract:
// retry.go) and reports whether the lane may go on to its next event.
func (e *Engine) settle(work context.Context, lane, owner string, ev *store.Event, err error, lost bool) (goOn bool) {
	var waiting interface {
		RetryAt() time.Time
		NotAFailure() bool
	}
	switch {
	case lost && err != nil:
		// Another worker has the lane now and will do this event
		// again; recording our failure could only confuse its count.
		e.log.Warn("lost the lane's lease mid-event", "lane", lane, "event", ev.ID, "err", err)
		return false
	case err == nil:
		e.finish(work, ev, store.EventDone, "")
		return true
	case errors.As(err, &waiting) && waiting.NotAFailure():
		// Waiting for a budget (the sender's turn) is not a failure: the
		// lane waits exactly until then, with no backoff and no attempt
		// counted, however long the queue.
		next := waiting.RetryAt()
		if err := e.st.DeferEvent(work, ev, next, err.Error(), owner); err != nil {
			e.log.Error("record wait", "event", ev.ID, "err", err)
		}
		e.wakeAt(next)
		return false
	case errors.Is(err, domain.ErrPermanent) || ev.Attempts+1 >= e.cfg.MaxAttempts:
		e.log.Error("event failed for good", "event", ev.ID, "type", ev.Type, "attempts", ev.Attempts+1, "err", err)
		e.finish(work, ev, store.EventFailed, err.Error())
		return true
	default:
		next := e.st.Now().Add(e.backoff(ev.Attempts))
		// Whoever knows when to try again (Slack's Retry-After, a
		// Telnyx reset, a budget) said so with RetryAt; the lane waits.
		if at, ok := domain.RetryTime(err); ok && at.After(next) {
			next = at
		}
		e.log.Warn("event will be retried", "event", ev.ID, "type", ev.Type, "attempt", ev.Attempts+1, "retry_at", next, "err", err)
		if err := e.st.RetryEvent(work, ev, next, err.Error(), owner); err != nil {
			e.log.Error("record retry", "event", ev.ID, "err", err)
		}
		e.wakeAt(next)
		return false
	}
}

// maxWake bounds the waits wakeAt keeps a timer for; a longer one is found
// by the poll, a second or so late at most.
const maxWake = 10 * time.Minute

// wakeAt wakes an idle worker when a lane put off until at is due, rather
// than at the next poll: a sender paced at 20 a second must not wait for a
// 1 s poll between its sends, and a paced lane that comes late to its slot
// crowds the next one. (Another replica's lanes are found by the poll.)
func (e *Engine) wakeAt(at time.Time) {
	d := at.Sub(e.st.Now())
	switch {
	case d <= 0:
		e.Notify()
	case d <= maxWake:
		time.AfterFunc(d, e.Notify)
	}
}

// heartbeat renews the lane's lease while a handler runs, so a slow event (a
// long Retry-After, a large download) does not lose its lane to another
// worker mid-way, which could then do the same work twice. A crashed
// process stops beating and its lease runs out within Lease.
//
// It renews every third of the lease; a renewal that fails for a passing
// reason (a busy database) is tried again soon, not a third later, so a
// short lease survives a hiccup. If the lease is gone (another worker took
// the lane after all) it cancels the handler so it stops before its next
// call, and stop reports lost.
func (e *Engine) heartbeat(ctx context.Context, cancel context.CancelFunc, lane, owner string) (stop func() (lost bool)) {
	done := make(chan struct{})
	finished := make(chan struct{})
	var lost bool
	go func() {
		defer close(finished)
		every, again := e.cfg.Lease/3, e.cfg.Lease/20
		t := time.NewTimer(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				err := e.st.RenewLease(ctx, lane, owner, e.cfg.Lease)
				switch {
				case err == nil:
					t.Reset(every)
				case errors.Is(err, store.ErrNotFound):
					e.log.Error("lane lease lost while its event runs; stopping the handler", "lane", lane)
					lost = true
					cancel()
					return
				default:
					e.log.Warn("renew lease", "lane", lane, "err", err)
					t.Reset(again)
				}
			}
		}
	}()
	return func() bool { close(done); <-finished; return lost }
}

func (e *Engine) finish(ctx context.Context, ev *store.Event, status, reason string) {
	if err := e.st.FinishEvent(ctx, ev.ID, status, reason); err != nil {
		e.log.Error("finish event", "event", ev.ID, "err", err)
	}
}

// backoff is exponential with full jitter in its upper half, capped.
func (e *Engine) backoff(attempts int) time.Duration {
	d := float64(e.cfg.BaseBackoff) * math.Pow(2, float64(attempts))
	if d > float64(e.cfg.MaxBackoff) {
		d = float64(e.cfg.MaxBackoff)
	}
	return time.Duration(d/2 + mrand.Float64()*d/2)
}

// drainContext is a context for one handler call: not cancelled with the
// engine's ctx directly, but at most drain after it is.
func drainContext(ctx context.Context, drain time.Duration) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(drain, cancel)
		context.AfterFunc(hctx, func() { t.Stop() })
	})
	return hctx, func() { stop(); cancel() }
}

// RunDue runs every lane that has due work, one after another in the
// caller's goroutine, until none is due, and returns how many it ran. Tests
// use it to settle queued work deterministically; Run is for production.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	owner := e.owner + "-sync"
	for n := 0; ; n++ {
		lane, ok, err := e.st.ClaimLane(ctx, owner, e.cfg.Lease)
		if err != nil || !ok {
			return n, err
		}
		e.RunLane(ctx, lane, owner)
	}
}

package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/fakeslack/recorded"
)

// marker finds the texts loadgen sent (webhook: "load test message <i>")
// in what the fake Slack shows.
var marker = regexp.MustCompile(`load test message (\d+)`)

// watch is what the fake Slack shows of the run's texts.
type watch struct {
	n, convs int
	seen     []time.Time // when text i was first visible; zero: not yet
	count    int
}

func newWatch(n, convs int) *watch { return &watch{n: n, convs: convs, seen: make([]time.Time, n)} }

// shownPost is one Slack message and the run's texts it shows, in order.
type shownPost struct {
	root  string // the thread's parent ts (its own for a parent)
	texts []int
}

// posts is every message of the channel, each thread's parent first and
// its replies in order, with the texts each shows (once each).
func (w *watch) posts(fake *fakeslack.Server) []shownPost {
	var out []shownPost
	for _, root := range fake.Messages(burstChannel) {
		msgs := append([]recorded.Message{root}, fake.ThreadReplies(burstChannel, root.TS)...)
		for _, m := range msgs {
			shown := m.Text
			if m.Blocks != nil {
				shown = m.BlockText() // the fallback text may shorten what the blocks show
			}
			var texts []int
			for _, sm := range marker.FindAllStringSubmatch(shown, -1) {
				i, err := strconv.Atoi(sm[1])
				if err == nil && i < w.n && !slices.Contains(texts, i) {
					texts = append(texts, i)
				}
			}
			out = append(out, shownPost{root: root.TS, texts: texts})
		}
	}
	return out
}

// until watches the fake until every text is visible or timeout has
// passed since start, and returns when the last became visible (zero if
// some never did).
func (w *watch) until(fake *fakeslack.Server, start time.Time, timeout time.Duration) time.Time {
	deadline := time.NewTimer(time.Until(start.Add(timeout)))
	defer deadline.Stop()
	var last time.Time
	for {
		changed := fake.Changed()
		now := time.Now()
		for _, p := range w.posts(fake) {
			for _, i := range p.texts {
				if w.seen[i].IsZero() {
					w.seen[i], last = now, now
					w.count++
				}
			}
		}
		if w.count == w.n {
			return last
		}
		select {
		case <-changed:
		case <-time.After(time.Second): // a change missed between the scan and the wait
		case <-deadline.C:
			return time.Time{}
		}
	}
}

// report prints the figures and the checks, and returns the exit status:
// 1 when a text was lost, doubled or out of order, a call was refused 429,
// or the last text came later than 1.2 times the floor.
func (w *watch) report(fake *fakeslack.Server, start, done time.Time) int {
	posts := w.posts(fake)
	where := make([]int, w.n)
	orderBroken, convThreads := 0, map[int]map[string]bool{}
	prev := map[string]int{} // the last text of each thread, so far
	for _, p := range posts {
		for _, i := range p.texts {
			where[i]++
			conv := i % w.convs
			if convThreads[conv] == nil {
				convThreads[conv] = map[string]bool{}
			}
			convThreads[conv][p.root] = true
			if last, ok := prev[p.root]; ok && (last%w.convs != conv || last >= i) {
				orderBroken++
			}
			prev[p.root] = i
		}
	}
	lost, doubled, split := 0, 0, 0
	for _, k := range where {
		lost += b2i(k == 0)
		doubled += b2i(k > 1)
	}
	for _, threads := range convThreads {
		split += b2i(len(threads) > 1)
	}
	ok, limited := successful(fake)
	floor := time.Duration(float64(w.convs)/fakeslack.DefaultPostRate) * time.Second
	target := floor * 12 / 10
	status := 0
	if done.IsZero() {
		fmt.Printf("NOT every text visible: %d of %d after %s\n", w.count, w.n, time.Since(start).Round(time.Second))
		status = 1
	} else {
		took := done.Sub(start)
		fmt.Printf("time to last text visible: %.1f s (floor of one post per conversation %s, target %s)\n", took.Seconds(), floor, target)
		if took > target {
			status = 1
		}
	}
	fmt.Printf("posts (chat.postMessage accepted): %d, %.3f per text; header rewrites (chat.update): %d\n",
		ok["chat.postMessage"], float64(ok["chat.postMessage"])/float64(w.n), ok["chat.update"])
	fmt.Printf("refused 429: %d; lost %d, doubled %d, out of order %d, conversations over several threads %d\n",
		limited, lost, doubled, orderBroken, split)
	if limited > 0 || lost > 0 || doubled > 0 || orderBroken > 0 || split > 0 {
		status = 1
	}
	if status == 0 {
		fmt.Println("target met")
	} else {
		fmt.Println("target NOT met")
	}
	return status
}

// successful counts the calls the fake accepted, by method, and those it
// refused for their rate.
func successful(fake *fakeslack.Server) (map[string]int, int) {
	ok := map[string]int{}
	for _, c := range fake.Calls("") {
		if c.Failure == nil && c.Error == "" {
			ok[c.Method]++
		}
	}
	return ok, len(fake.RateLimited())
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/smsbridge/smsbridge/store"
)

// failUpdates makes the next n updates of each of tables fail as a full
// disk does, whichever database the test runs on.
func failUpdates(t *testing.T, st *store.Store, n int, tables ...string) {
	t.Helper()
	var mu sync.Mutex
	left := map[string]int{}
	for _, tb := range tables {
		left[tb] = n
	}
	err := st.DB().Callback().Update().Before("gorm:update").Register("test:disk_full", func(db *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		if left[db.Statement.Table] > 0 {
			left[db.Statement.Table]--
			db.AddError(errors.New("database or disk is full"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSlackPostIsNotRepeatedWhenStoringItsTsFails(t *testing.T) {
	h := newOB(t)
	ctx := context.Background()
	// No conversation yet: the text opens its thread and rides in its
	// header (one post, whose ts goes to messages and conversations).
	failUpdates(t, h.st, 2, "conversations", "messages")

	if code := h.postTelnyx(inboundText("ev-full", "hello while the disk is full")); code != http.StatusOK {
		t.Fatalf("webhook: %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := h.engine.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		counts, err := h.st.EventCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.EventPending] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event still pending: %v", counts)
		}
		h.clock.Advance(time.Minute) // past any retry's backoff
	}

	var headers, texts int
	for _, hd := range h.slack.Messages(obChannel) {
		headers++
		if strings.Contains(hd.BlockText(), "hello while the disk is full") {
			texts++ // a conversation's first text rides in its header
		}
		for _, m := range h.slack.ThreadReplies(obChannel, hd.TS) {
			if strings.Contains(m.BlockText(), "hello while the disk is full") {
				texts++
			}
		}
	}
	if headers != 1 || texts != 1 {
		t.Fatalf("Slack got %d headers and %d posts of the text, want exactly one each", headers, texts)
	}
	c, err := h.st.ConversationByNumbers(ctx, store.KindSMS, obOur, obRemote)
	if err != nil || c.ThreadTS == "" {
		t.Fatalf("thread ts not recorded: %+v %v", c, err)
	}
	m, err := h.st.MessageByTelnyxID(ctx, "msg-ev-full")
	if err != nil || m.SlackTS == "" {
		t.Fatalf("text's ts not recorded: %+v %v", m, err)
	}
}

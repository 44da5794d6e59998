package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/inbox"
	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/store"

	"github.com/smsbridge/smsbridge/internal/dbfill"
)

// Size of the benchmark's inbox.
const (
	benchConversations = 100_000
	benchMessagesPer   = 10 // 1,000,000 messages
	benchUsers         = 20
	benchContacts      = 10_000
)

// BenchmarkAppHome builds one user's App Home (the store queries and the
// view) on a SQLite inbox of 100,000 conversations and 1,000,000 messages,
// and runs the /sms history queries on it. The data is generated once per
// run with batched inserts in one transaction:
//
//	go test -run XXX -bench BenchmarkAppHome ./bot/
func BenchmarkAppHome(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	if err := fillInbox(ctx, st, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d conversations and %d messages in %s", benchConversations, benchConversations*benchMessagesPer, time.Since(start).Round(time.Millisecond))

	// The fake Slack takes the publishes that paging causes.
	api := fakeslack.New(b).Client()
	home := inbox.NewHome(st, api, slackpost.NewThreadLinks(nil, "https://acme.slack.com/"), slog.New(slog.DiscardHandler), inbox.WithHomeClock(func() time.Time { return now }))
	defer home.Wait()
	user := benchUser(3)

	b.Run("view", func(b *testing.B) {
		var items int
		for b.Loop() {
			v, err := home.View(ctx, user)
			if err != nil {
				b.Fatal(err)
			}
			items = len(v.Blocks.BlockSet)
		}
		if items < 40 {
			b.Fatalf("the view has only %d blocks: sections are not full", items)
		}
	})
	// A deep page: Next pressed 100 times in Waiting and Unassigned (the
	// offset is walked in the index, so it costs more the deeper it is).
	b.Run("view-page-100", func(b *testing.B) {
		deep := benchUser(4)
		pressNext(b, home, deep, 1000, "home_page_w_next", "home_page_u_next")
		for b.Loop() {
			if _, err := home.View(ctx, deep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			in, err := st.InboxFor(ctx, user, 1, now.Add(-7*24*time.Hour), store.InboxPages{})
			if err != nil || in.Waiting.Total == 0 || in.Unassigned.Total == 0 {
				b.Fatalf("inbox %+v err %v", in, err)
			}
		}
		in, _ := st.InboxFor(ctx, user, 1, now.Add(-7*24*time.Hour), store.InboxPages{})
		b.Logf("counted: waiting %d, mine %d, unassigned %d, resolved lately %d", in.Waiting.Total, in.Mine.Total, in.Unassigned.Total, in.Resolved.Total)
	})
	b.Run("history", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			convs, err := st.ConversationsWith(ctx, benchRemote(i*7919%benchConversations), 3)
			if err != nil || len(convs) != 1 {
				b.Fatalf("conversations %d err %v", len(convs), err)
			}
			msgs, err := st.History(ctx, convs[0].ID, 20)
			if err != nil || len(msgs) != benchMessagesPer {
				b.Fatalf("messages %d err %v", len(msgs), err)
			}
		}
	})
}

func benchUser(i int) string      { return fmt.Sprintf("U%05d", i) }
func benchRemote(i int) string    { return fmt.Sprintf("+1312%07d", i) }
func benchOurNumber(i int) string { return fmt.Sprintf("+184455500%02d", i%3) }

// fillInbox writes the benchmark's inbox with multi-row INSERTs on one
// transaction: 70% resolved, 15% open, 15% claimed across benchUsers, half
// waiting for an answer, activity spread over 90 days.
func fillInbox(ctx context.Context, st *store.Store, now time.Time) error {
	sqlDB, err := st.DB().DB()
	if err != nil {
		return err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rng := rand.New(rand.NewPCG(1, 2))
	dialect := st.DB().Dialector.Name()

	convCols := []string{"id", "our_number", "remote_key", "channel", "thread_ts", "state", "assignee_id", "resolved_by", "resolved_at",
		"opted_out", "last_activity_at", "last_direction", "last_text", "created_at", "updated_at", "waiting_since", "waiting_count"}
	err = dbfill.Insert(ctx, tx, dialect, "conversations", convCols, 0, benchConversations, func(i int, row []any) {
		last := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		state, assignee, resolvedBy := store.StateResolved, "", ""
		var resolvedAt any
		switch r := rng.IntN(100); {
		case r < 15:
			state = store.StateOpen
		case r < 30:
			state, assignee = store.StateClaimed, benchUser(rng.IntN(benchUsers))
		default:
			resolvedBy, resolvedAt = benchUser(rng.IntN(benchUsers)), last.Add(time.Hour)
		}
		dir := store.Inbound
		if rng.IntN(2) == 0 {
			dir = store.Outbound
		}
		// An unanswered conversation waits since its last text, with 1-3 texts.
		var since any
		count := 0
		if dir == store.Inbound && state != store.StateResolved {
			since, count = last, 1+rng.IntN(3)
		}
		copy(row, []any{i + 1, benchOurNumber(i), benchRemote(i), "CINBOX", fmt.Sprintf("1700%06d.%06d", i/1000, i%1000*100),
			state, assignee, resolvedBy, resolvedAt, rng.IntN(100) == 0, last, dir,
			"Hi, this is about order " + fmt.Sprint(i) + ": could you tell me when it ships? Thanks", last.Add(-48 * time.Hour), last, since, count})
	})
	if err != nil {
		return err
	}

	msgCols := []string{"conversation_id", "direction", "telnyx_id", "from_number", "to_numbers", "text", "media", "status", "segments", "encoding", "created_at", "updated_at"}
	err = dbfill.Insert(ctx, tx, dialect, "messages", msgCols, 0, benchConversations*benchMessagesPer, func(i int, row []any) {
		conv := i / benchMessagesPer
		at := now.Add(-time.Duration(benchMessagesPer-i%benchMessagesPer) * time.Hour).Add(-time.Duration(conv) * time.Second)
		dir, status, from := store.Inbound, "received", benchRemote(conv)
		if i%2 == 1 {
			dir, status, from = store.Outbound, "delivered", benchOurNumber(conv)
		}
		copy(row, []any{conv + 1, dir, fmt.Sprintf("msg-%08d", i), from, benchOurNumber(conv) + "," + benchRemote(conv),
			"Message text number " + fmt.Sprint(i) + " of a conversation about an order", "[]", status, 1, "GSM-7", at, at})
	})
	if err != nil {
		return err
	}

	err = dbfill.Insert(ctx, tx, dialect, "contacts", []string{"number", "name", "set_by", "created_at", "updated_at"}, 0, benchContacts, func(i int, row []any) {
		copy(row, []any{benchRemote(i * (benchConversations / benchContacts)), fmt.Sprintf("Customer %d", i), benchUser(0), now, now})
	})
	if err != nil {
		return err
	}
	return tx.Commit()
}

// pressNext presses the Next buttons actionIDs of user's Home tab, each
// carrying offset, through the registered App Home actions, as Slack sends
// a press from the Home tab.
func pressNext(b *testing.B, home *inbox.Home, user string, offset int, actionIDs ...string) {
	b.Helper()
	in := slackin.NewInteractions(slog.New(slog.DiscardHandler))
	inbox.RegisterHomeActions(in, nil, home, slog.New(slog.DiscardHandler))
	cb := &slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, User: slack.User{ID: user}, View: slack.View{Type: slack.VTHomeTab}}
	for _, id := range actionIDs {
		cb.ActionCallback.BlockActions = append(cb.ActionCallback.BlockActions, &slack.BlockAction{ActionID: id, Value: fmt.Sprint(offset)})
	}
	in.Handle(context.Background(), cb)
	in.Wait()
	home.Wait()
}

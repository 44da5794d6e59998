package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/migrations"
)

// models is every table of today's schema, as the models declare it.
var models = []any{&Event{}, &Lane{}, &Conversation{}, &Message{}, &Route{}, &OutboxMedia{},
	&ScheduledMessage{}, &Contact{}, &Thread{}, &OptOut{}, &OurNumber{}, &WriteProbe{}, &Budget{}, &BudgetHold{}, &Instance{}, &EventCount{}, &Confirmation{}, &SavedReply{},
	&BusinessHours{}, &Holiday{}, &AutoReply{}}

// openRaw opens url without running migrations.
func openRaw(t *testing.T, url string) *gorm.DB {
	t.Helper()
	cfg := &gorm.Config{Logger: logger.Discard}
	var dial gorm.Dialector
	if strings.HasPrefix(url, "postgres") {
		dial = postgres.Open(url)
	} else {
		dial = sqlite.Open(conn.SQLiteDSN(url))
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

// describe is a table's columns and indexes, one line each, sorted.
func describe(t *testing.T, db *gorm.DB, table string) []string {
	t.Helper()
	m := db.Migrator()
	cols, err := m.ColumnTypes(table)
	if err != nil {
		t.Fatalf("%s columns: %v", table, err)
	}
	var out []string
	for _, c := range cols {
		null, _ := c.Nullable()
		pk, _ := c.PrimaryKey()
		out = append(out, fmt.Sprintf("column %s %s null=%v pk=%v", c.Name(), strings.ToLower(c.DatabaseTypeName()), null, pk))
	}
	idx, err := m.GetIndexes(table)
	if err != nil {
		t.Fatalf("%s indexes: %v", table, err)
	}
	for _, i := range idx {
		if pk, _ := i.PrimaryKey(); pk {
			continue
		}
		if strings.HasPrefix(i.Name(), "sqlite_autoindex") {
			continue
		}
		uniq, _ := i.Unique()
		out = append(out, fmt.Sprintf("index %s (%s) unique=%v", i.Name(), strings.Join(i.Columns(), ","), uniq))
	}
	slices.Sort(out)
	return out
}

// A database built by the migrations, one after another from migration 1,
// has exactly the schema the models declare: a model changed without a
// migration (or a migration that drifts from the model) fails here.
func TestMigrationsBuildTheModelsSchema(t *testing.T) {
	ctx := context.Background()
	migrated, err := Open(ctx, testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer migrated.Close()
	fresh := openRaw(t, testdb.URL(t))
	if err := fresh.AutoMigrate(models...); err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	got, err := migrated.DB().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	got = slices.DeleteFunc(got, func(s string) bool { return s == "schema_migrations" })
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("tables after the migrations %v, the models declare %v", got, want)
	}
	for _, table := range want {
		g, w := describe(t, migrated.DB(), table), describe(t, fresh, table)
		for _, line := range w {
			if !slices.Contains(g, line) {
				t.Errorf("%s: the models have %q, the migrations do not build it", table, line)
			}
		}
		for _, line := range g {
			if !slices.Contains(w, line) {
				t.Errorf("%s: the migrations build %q, the models do not declare it", table, line)
			}
		}
	}
}

// Migration 7 turns the opt-outs conversations knew of into records: a
// 1:1's for the member, a group's (which never said who) for the group.
func TestMigration7KeepsEveryOptOutConversationsKnew(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	old := openRaw(t, url)
	if err := migrations.UpTo(ctx, old, 6, time.Now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		remotes string
		out     bool
	}{{"+13125550123", true}, {"+13125550124,+13125550125", true}, {"+13125550126", false}} {
		err := old.Exec(`INSERT INTO conversations (our_number, remote_key, state, opted_out, opt_out_keyword, opt_out_at, last_activity_at, created_at, updated_at)
			VALUES (?, ?, 'open', ?, 'STOP', ?, ?, ?, ?)`, "+18445550001", c.remotes, c.out, time.Now(), time.Now(), time.Now(), time.Now()).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.ActiveOptOuts(ctx, []string{"+13125550123", "+13125550124,+13125550125", "+13125550126"}, []string{"+18445550001"}, "")
	if err != nil {
		t.Fatal(err)
	}
	var remotes []string
	for _, o := range got {
		remotes = append(remotes, o.Remote+" "+o.Keyword)
	}
	if want := []string{"+13125550123 STOP", "+13125550124,+13125550125 STOP"}; !slices.Equal(remotes, want) {
		t.Fatalf("opt-outs after migration 7 = %v, want %v", remotes, want)
	}
	c, err := st.ConversationByNumbers(ctx, KindSMS, "+18445550001", "+13125550123")
	if err != nil || c.Kind != KindSMS {
		t.Fatalf("an old conversation is not an SMS conversation: %+v %v", c, err)
	}
}

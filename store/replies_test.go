package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/testdb"
	"github.com/smsbridge/smsbridge/store/migrations"
)

func TestSavedRepliesAreUniqueByNameAndRemovable(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.AddSavedReply(ctx, &SavedReply{Name: "hours", Text: "We are open 9-5, {first_name}.", CreatedBy: "U1"}); err != nil {
		t.Fatal(err)
	}
	err := s.AddSavedReply(ctx, &SavedReply{Name: "hours", Text: "other", CreatedBy: "U2"})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second reply with one name: %v, want ErrExists", err)
	}
	r, err := s.SavedReply(ctx, "hours")
	if err != nil || r.Text != "We are open 9-5, {first_name}." || r.CreatedBy != "U1" {
		t.Fatalf("SavedReply = %+v, %v: the first one must stay", r, err)
	}
	if err := s.AddSavedReply(ctx, &SavedReply{Name: "address", Text: "1 Main St", CreatedBy: "U1"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.SavedReplies(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Name != "address" || list[1].Name != "hours" {
		t.Fatalf("SavedReplies = %+v, %v; want address, hours", list, err)
	}
	if err := s.DeleteSavedReply(ctx, "hours"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavedReply(ctx, "hours"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after remove: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSavedReply(ctx, "hours"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removing it twice: %v, want ErrNotFound", err)
	}
}

// A lifted opt-out keeps its lift: a later opt-in does not rewrite it,
// and a new opt-out is a new record.
func TestConsentHistoryKeepsLiftedRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	add := func(o OptOut) {
		t.Helper()
		if ok, err := s.AddOptOut(ctx, &o); err != nil || !ok {
			t.Fatalf("AddOptOut: %v, %v", ok, err)
		}
	}
	add(OptOut{Remote: "+13125550123", OurNumber: "+18445550001", Source: OptOutKeyword, Keyword: "STOP", Text: "stop pls"})
	if n, err := s.LiftOptOuts(ctx, "+13125550123", "+18445550001", "", Lift{By: "START", Text: "start", Number: "+18445550001"}); err != nil || n != 1 {
		t.Fatalf("lift: %d, %v", n, err)
	}
	add(OptOut{Remote: "+13125550123", OurNumber: "+18445550001", Source: OptOutManual, SetBy: "U7"})
	if n, err := s.LiftOptOuts(ctx, "+13125550123", "+18445550001", "", Lift{By: OptOutManual, Number: "+18445550001", User: "U8"}); err != nil || n != 1 {
		t.Fatalf("second lift: %d, %v", n, err)
	}
	var got []OptOut
	if err := s.EachOptOut(ctx, 1, func(o *OptOut) error { got = append(got, *o); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("records: %d, want 2 (%+v)", len(got), got)
	}
	first, second := got[0], got[1]
	if first.LiftedBy != "START" || first.LiftText != "start" || first.LiftedByUser != "" || first.Text != "stop pls" {
		t.Errorf("first record rewritten: %+v", first)
	}
	if second.Source != OptOutManual || second.SetBy != "U7" || second.LiftedBy != OptOutManual || second.LiftedByUser != "U8" || second.LiftedNumber != "+18445550001" {
		t.Errorf("manual record: %+v", second)
	}
}

func TestEachMessagePagesThroughTheConversations(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	one, _, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123")
	if err != nil {
		t.Fatal(err)
	}
	group, _, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550123,+13125550199")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", "+13125550777")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []*Conversation{one, group, other, one} {
		if _, err := s.InsertMessage(ctx, &Message{ConversationID: c.ID, Direction: Inbound, Text: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	convs, err := s.ConversationsOfRemote(ctx, "+13125550123")
	if err != nil || len(convs) != 2 {
		t.Fatalf("ConversationsOfRemote = %d, %v; want the 1:1 and the group", len(convs), err)
	}
	var texts string
	err = s.EachMessage(ctx, []uint64{convs[0].ID, convs[1].ID}, 2, func(m *Message) error { texts += m.Text; return nil })
	if err != nil || texts != "abd" {
		t.Fatalf("EachMessage texts %q, %v; want abd (in order, without the other conversation's c)", texts, err)
	}
}

// Migration 14 keeps every record as it was, and says for the lifted ones
// that the opt-in came to the opt-out's own number (the only opt-in there
// was before it).
func TestMigration14KeepsOptOutsAndNamesWhereTheyWereLifted(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	old := openRaw(t, url)
	if err := migrations.UpTo(ctx, old, 13, time.Now); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, lifted := range []*time.Time{&now, nil} {
		err := old.Exec(`INSERT INTO opt_outs (remote, our_number, profile_id, source, keyword, text, created_at, lifted_at, lifted_by)
			VALUES ('+13125550123', '+18445550001', '', 'keyword', 'STOP', 'stop', ?, ?, 'START')`, now, lifted).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.OptOutHistory(ctx, "+13125550123")
	if err != nil || len(h) != 2 {
		t.Fatalf("history after migration 14: %+v, %v", h, err)
	}
	if h[0].LiftedAt != nil || h[0].LiftedNumber != "" {
		t.Errorf("active record: %+v", h[0])
	}
	if h[1].LiftedAt == nil || h[1].LiftedNumber != "+18445550001" || h[1].Text != "stop" || h[1].LiftedBy != "START" {
		t.Errorf("lifted record: %+v", h[1])
	}
}

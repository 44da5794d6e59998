package store

import (
	"context"
	"testing"
	"time"
)

func TestInboxForSortsConversationsIntoSections(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, WithClock(c.Now))
	ctx := context.Background()
	base := c.Now()
	add := func(remote, state, assignee, dir string, ago time.Duration, optedOut bool) uint64 {
		t.Helper()
		conv, _, err := s.FindOrCreateConversation(ctx, KindSMS, "+18445550001", remote)
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]any{"state": state, "assignee_id": assignee, "last_direction": dir,
			"last_activity_at": base.Add(-ago), "opted_out": optedOut}
		if state == StateResolved {
			fields["resolved_at"] = base.Add(-ago)
			fields["resolved_by"] = "U1"
		} else if dir == Inbound {
			fields["waiting_since"] = base.Add(-ago)
		}
		if err := s.UpdateConversation(ctx, conv.ID, fields); err != nil {
			t.Fatal(err)
		}
		return conv.ID
	}
	openOld := add("+13125550001", StateOpen, "", Inbound, 3*time.Hour, false)
	openNew := add("+13125550002", StateOpen, "", Outbound, time.Hour, false)
	mineWaiting := add("+13125550003", StateClaimed, "U1", Inbound, 2*time.Hour, false)
	mineAnswered := add("+13125550004", StateClaimed, "U1", Outbound, 30*time.Minute, false)
	theirs := add("+13125550005", StateClaimed, "U2", Inbound, 4*time.Hour, false)
	optedOut := add("+13125550006", StateOpen, "", Inbound, 5*time.Hour, true) // opted out: not waiting
	resolvedRecent := add("+13125550007", StateResolved, "", Inbound, 24*time.Hour, false)
	add("+13125550008", StateResolved, "", Outbound, 40*24*time.Hour, false) // too old to list

	in, err := s.InboxFor(ctx, "U1", 10, base.Add(-7*24*time.Hour), InboxPages{})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []Conversation) []uint64 {
		var out []uint64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	check := func(name string, got, want []uint64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	check("waiting", ids(in.Waiting.Rows), []uint64{theirs, openOld, mineWaiting})
	check("mine", ids(in.Mine.Rows), []uint64{mineAnswered, mineWaiting})
	check("unassigned", ids(in.Unassigned.Rows), []uint64{openNew, openOld, optedOut})
	check("resolved", ids(in.Resolved.Rows), []uint64{resolvedRecent})
	if in.Waiting.Total != 3 || in.Mine.Total != 2 || in.Unassigned.Total != 3 || in.Resolved.Total != 1 {
		t.Errorf("totals %d %d %d %d, want 3 2 3 1", in.Waiting.Total, in.Mine.Total, in.Unassigned.Total, in.Resolved.Total)
	}

	in, err = s.InboxFor(ctx, "U2", 2, base.Add(-7*24*time.Hour), InboxPages{})
	if err != nil {
		t.Fatal(err)
	}
	check("U2 mine", ids(in.Mine.Rows), []uint64{theirs})
	check("waiting, limit 2", ids(in.Waiting.Rows), []uint64{theirs, openOld})
	if !in.Waiting.More() || !in.Unassigned.More() || in.Mine.More() {
		t.Errorf("more: waiting %v unassigned %v mine %v", in.Waiting.More(), in.Unassigned.More(), in.Mine.More())
	}
	// The second page of waiting holds the rest; a page past the end
	// (the section shrank) is the last page.
	in, err = s.InboxFor(ctx, "U2", 2, base.Add(-7*24*time.Hour), InboxPages{Waiting: 2, Unassigned: 8})
	if err != nil {
		t.Fatal(err)
	}
	check("waiting, page 2", ids(in.Waiting.Rows), []uint64{mineWaiting})
	check("unassigned, past the end", ids(in.Unassigned.Rows), []uint64{optedOut})
	if in.Waiting.Offset != 2 || in.Waiting.More() || in.Unassigned.Offset != 2 {
		t.Errorf("offsets %d %d more %v", in.Waiting.Offset, in.Unassigned.Offset, in.Waiting.More())
	}
}

func TestContactsUpsertAndLookUp(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.SetContact(ctx, &Contact{Number: "+13125550123", Name: "Ana", SetBy: "U1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetContact(ctx, &Contact{Number: "+13125550123", Name: "Ana Lopez", SetBy: "U2"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Contact(ctx, "+13125550123")
	if err != nil || c.Name != "Ana Lopez" || c.SetBy != "U2" {
		t.Fatalf("contact %+v err %v", c, err)
	}
	if _, err := s.Contact(ctx, "+13125550999"); err != ErrNotFound {
		t.Fatalf("missing contact: %v", err)
	}
	names, err := s.ContactNames(ctx, []string{"+13125550123", "+13125550999"})
	if err != nil || len(names) != 1 || names["+13125550123"] != "Ana Lopez" {
		t.Fatalf("names %v err %v", names, err)
	}
}

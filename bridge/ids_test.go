package bridge

import (
	"testing"
)

func TestLanesAndKeysKeepTheirStoredForm(t *testing.T) {
	// Stored work names these; a change would orphan it.
	got := []string{
		ConversationLane("+18445550001", []E164{"+13125550124", "+13125550123"}),
		KindLane(ConvWhatsApp, "+18445550001", []E164{"+447946000123"}),
		replyKey("C1", "1.2"), replyEventKey("C1", "1.2", "message_changed"), sendAgainKey(7, "3.4"),
		sendKey("T1"), sentPostKey("m1"), noteKey("k"), scheduledNoteKey(3, "cancelled"), handoffKey(3, 2),
		poolLane("p1", []E164{"+13125550123"}), clickLane("m2"),
	}
	want := []string{
		"conv:+18445550001|+13125550123,+13125550124", "wa:+18445550001|+447946000123",
		"C1:1.2", "msg:C1:1.2:message_changed", "again:7:3.4",
		"send:T1", "sent:m1", "note:k", "sched:3:cancelled", "handoff:3:2",
		"pool:p1|+13125550123", "click:m2",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d = %q, want %q", i, got[i], want[i])
		}
	}
}

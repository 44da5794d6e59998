package domain

import (
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

func TestLanesAndKeysKeepTheirStoredForm(t *testing.T) {
	// Stored work names these; a change would orphan it.
	got := []string{
		ConversationLane("+18445550001", []E164{"+13125550124", "+13125550123"}),
		KindLane(store.KindWhatsApp, "+18445550001", []E164{"+447946000123"}),
		ReplyKey("C1", "1.2"), ReplyEventKey("C1", "1.2", "message_changed"), SendAgainKey(7, "3.4"),
		SendKey("T1"), SentPostKey("m1"), NoteKey("k"), ScheduledNoteKey(3, "cancelled"), HandoffKey(3, 2),
		PoolLane("p1", []E164{"+13125550123"}), ClickLane("m2"),
		NudgeKey(9, time.UnixMicro(1700000000123456)), LaneHolder("conv:x"), MessageHolder(42), ScheduledHolder(5),
		ModalSendKey("V1"), PickedSendKey("t1"), QuietSendKey("t2"), AnonymousSendKey("ab"),
	}
	want := []string{
		"conv:+18445550001|+13125550123,+13125550124", "wa:+18445550001|+447946000123",
		"C1:1.2", "msg:C1:1.2:message_changed", "again:7:3.4",
		"send:T1", "sent:m1", "note:k", "sched:3:cancelled", "handoff:3:2",
		"pool:p1|+13125550123", "click:m2",
		"nudge:9:1700000000123456", "lane:conv:x", "msg:42", "sched:5",
		"view:V1", "pick:t1", "quiet:t2", "anon:ab",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d = %q, want %q", i, got[i], want[i])
		}
	}
}

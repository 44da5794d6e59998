package bridge

import (
	"errors"
	"testing"
)

func TestParseE164AcceptsOnlyE164(t *testing.T) {
	for _, ok := range []string{"+13125550123", "+442079460958", "+8613800138000", "+1234567"} {
		if n, err := ParseE164(ok); err != nil || string(n) != ok {
			t.Errorf("ParseE164(%q) = %q, %v", ok, n, err)
		}
	}
	for _, bad := range []string{"", "13125550123", "+1 312 555 0123", "+0123456789", "+123456", "+1234567890123456",
		"+13125550191,+13125550192", "<!channel>", "not-a-number", "MyShop", "12345"} {
		if _, err := ParseE164(bad); !errors.Is(err, ErrNotE164) {
			t.Errorf("ParseE164(%q) = %v, want ErrNotE164", bad, err)
		}
	}
}

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

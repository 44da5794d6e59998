package domain

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/store"
)

// Blocked is a recipient who may not be texted, and why.
type Blocked struct {
	Remote  E164 // a member; for a record from before opt-outs named members, the whole group's key
	Source  string
	Keyword string
	At      time.Time
}

// BlockedReason says in words why a send was refused by the opt-out policy.
func BlockedReason(bl []Blocked) string {
	var who []string
	for _, x := range bl {
		w := string(x.Remote)
		if strings.Contains(w, ",") {
			w = "a member of this group (" + w + ")"
		}
		switch {
		case x.Source == store.OptOutTelnyx:
			w += " (Telnyx refused a text to them with 40300: they sent STOP)"
		case x.Source == store.OptOutTelnyxList:
			w += " (on Telnyx's opt-out list)"
		case x.Keyword != "":
			w += " (texted " + x.Keyword + ")"
		}
		who = append(who, w)
	}
	verb := "has"
	if len(bl) > 1 {
		verb = "have"
	}
	return fmt.Sprintf("Not sent: %s %s opted out. smsbridge does not text anyone who opted out until they send START.",
		strings.Join(who, ", "), verb)
}

// AutoReplyLabel starts the thread post of an auto-reply.
const AutoReplyLabel = "Auto-reply (outside business hours): "

// IsAutoReply reports whether an outbox entry is an auto-reply.
func IsAutoReply(m *store.Message) bool {
	return m.OutboxKey != nil && strings.HasPrefix(*m.OutboxKey, store.AutoReplyKeyPrefix)
}

// OptOutHook is told of every new opt-out, after it is recorded: the
// scheduler cancels what is pending to that number.
type OptOutHook func(ctx context.Context, our, remote E164, profile string)

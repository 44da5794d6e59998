package bridge

import (
	"context"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/store"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// The one opt-out policy. Opt-outs are records of their own (store.OptOut):
// who is blocked (a remote number), from whom (one of our numbers and, when
// its messaging profile is known, the whole profile, as Telnyx blocks a
// STOP for every number on it), from what source and since when, and the
// opt-in that lifted it. MayText is the only question every send path asks
// (thread replies, /sms sends, the compose modal, scheduled hand-offs, Send
// again), at the moment it would send.

// MayText lists the recipients of to that may not be texted now from
// from (one of our numbers, a short code or a sender ID) or, when from is
// empty, from any number of the messaging profile (a number pool). An
// empty answer means every recipient may be texted. A group is also
// blocked by a record of the whole group (from before opt-outs named
// members).
func (b *Bridge) MayText(ctx context.Context, from E164, profile string, to []E164) ([]Blocked, error) {
	var ours []string
	if from != "" {
		ours = append(ours, string(from))
		p, err := b.profileOf(ctx, from, profile)
		if err != nil {
			return nil, err
		}
		profile = p
	} else if profile != "" {
		nums, err := b.st.NumbersOfProfile(ctx, profile)
		if err != nil {
			return nil, err
		}
		ours = nums
	}
	remotes := e164Strings(to)
	if len(to) > 1 {
		remotes = append(remotes, RemoteKey(to))
	}
	rows, err := b.st.ActiveOptOuts(ctx, remotes, ours, profile)
	if err != nil {
		return nil, err
	}
	var out []Blocked
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Remote] {
			continue
		}
		seen[r.Remote] = true
		out = append(out, Blocked{Remote: E164(r.Remote), Source: r.Source, Keyword: r.Keyword, At: r.CreatedAt})
	}
	return out, nil
}

// profileOf is profile, or when it is empty the messaging profile our
// number is known to be on ("" when unknown).
func (b *Bridge) profileOf(ctx context.Context, our E164, profile string) (string, error) {
	if profile != "" || our == "" {
		return profile, nil
	}
	return b.st.NumberProfile(ctx, string(our))
}

// numbersOf is our number and, with a profile, every number known to be on
// it: what a STOP to our number blocks.
func (b *Bridge) numbersOf(ctx context.Context, our E164, profile string) ([]string, error) {
	ours := []string{string(our)}
	if profile == "" {
		return ours, nil
	}
	nums, err := b.st.NumbersOfProfile(ctx, profile)
	if err != nil {
		return nil, err
	}
	for _, n := range nums {
		if n != string(our) {
			ours = append(ours, n)
		}
	}
	return ours, nil
}

// OnOptOut registers h; call it before the engine runs.
func (b *Bridge) OnOptOut(h OptOutHook) { b.optOutHooks = append(b.optOutHooks, h) }

// RecordOptOut records that remote opted out of texts from our number (and
// its profile, when known), refreshes what the conversations with remote
// show, and runs the opt-out hooks. It reports whether the opt-out is new;
// recording one already active changes nothing.
func (b *Bridge) RecordOptOut(ctx context.Context, our, remote E164, profile, source, keyword, text string) (bool, error) {
	return b.recordOptOut(ctx, &store.OptOut{Remote: string(remote), OurNumber: string(our), ProfileID: profile,
		Source: source, Keyword: keyword, Text: truncate(text, 160)})
}

// recordOptOut is RecordOptOut of a record made by the caller (a manual
// one names its teammate).
func (b *Bridge) recordOptOut(ctx context.Context, o *store.OptOut) (bool, error) {
	our, remote := E164(o.OurNumber), E164(o.Remote)
	profile, err := b.profileOf(ctx, our, o.ProfileID)
	if err != nil {
		return false, err
	}
	o.ProfileID = profile
	added, err := b.st.AddOptOut(ctx, o)
	if err != nil || !added {
		return false, err
	}
	convs, err := b.conversationsWithMember(ctx, our, profile, remote)
	if err != nil {
		return true, err
	}
	if err := b.refreshOptOutFlags(ctx, convs); err != nil {
		return true, err
	}
	for _, h := range b.optOutHooks {
		h(ctx, our, remote, profile)
	}
	return true, nil
}

// RecordOptIn lifts remote's opt-outs from our number (and its profile),
// and the whole-group records of groups remote is in, then refreshes what
// the conversations show. It reports whether anything was lifted.
func (b *Bridge) RecordOptIn(ctx context.Context, our, remote E164, profile, keyword, text string) (bool, error) {
	return b.recordOptIn(ctx, our, remote, profile, store.Lift{By: keyword, Text: truncate(text, 160), Number: string(our)})
}

func (b *Bridge) recordOptIn(ctx context.Context, our, remote E164, profile string, lift store.Lift) (bool, error) {
	profile, err := b.profileOf(ctx, our, profile)
	if err != nil {
		return false, err
	}
	n, err := b.st.LiftOptOuts(ctx, string(remote), string(our), profile, lift)
	if err != nil {
		return false, err
	}
	convs, err := b.conversationsWithMember(ctx, our, profile, remote)
	if err != nil {
		return n > 0, err
	}
	for _, c := range convs {
		if strings.Contains(c.RemoteKey, ",") {
			m, err := b.st.LiftOptOuts(ctx, c.RemoteKey, c.OurNumber, "", lift)
			if err != nil {
				return n > 0, err
			}
			n += m
		}
	}
	if n == 0 {
		return false, nil
	}
	return true, b.refreshOptOutFlags(ctx, convs)
}

func (b *Bridge) conversationsWithMember(ctx context.Context, our E164, profile string, remote E164) ([]store.Conversation, error) {
	ours, err := b.numbersOf(ctx, our, profile)
	if err != nil {
		return nil, err
	}
	return b.st.ConversationsWithMember(ctx, ours, string(remote))
}

// refreshOptOutFlags sets the opted-out flag each of convs (the
// conversations with a number whose opt-out changed: 1:1 and groups, on our
// number and its profile's) shows from the records, and rewrites the
// headers whose flag changed.
func (b *Bridge) refreshOptOutFlags(ctx context.Context, convs []store.Conversation) error {
	for i := range convs {
		c := &convs[i]
		bl, err := b.MayText(ctx, E164(c.OurNumber), "", Remotes(c.RemoteKey))
		if err != nil {
			return err
		}
		out, kw := len(bl) > 0, ""
		var at *time.Time
		if out {
			kw, at = orDefault(bl[0].Keyword, "STOP"), &bl[0].At
		}
		if out == c.OptedOut && kw == c.OptOutKeyword {
			continue
		}
		if err := b.st.UpdateConversation(ctx, c.ID, map[string]any{"opted_out": out, "opt_out_keyword": kw, "opt_out_at": at}); err != nil {
			return err
		}
		c.OptedOut, c.OptOutKeyword, c.OptOutAt = out, kw, at
		if thread, ok := CurrentThread(c); ok {
			if err := b.poster.UpdateHeader(ctx, thread, b.HeaderFor(ctx, c)); err != nil {
				b.log.Warn("update header after opt-out change", "conversation", c.ID, "err", err)
			}
		}
	}
	return nil
}

// recordTelnyxOptOut records the opt-out Telnyx reported (40300) for a
// conversation's recipient: the member of a 1:1, or, since Telnyx does not
// say which member, the whole group.
func (b *Bridge) recordTelnyxOptOut(ctx context.Context, conv *store.Conversation) error {
	_, err := b.RecordOptOut(ctx, E164(conv.OurNumber), E164(conv.RemoteKey), "", store.OptOutTelnyx, "", "")
	return err
}

// OptOutRecord is one entry of a number's consent history.
type OptOutRecord struct {
	ID        uint64
	From      E164   // our number ("" when only the profile is known)
	ProfileID string // the messaging profile it covers, when known
	Source    string // store.OptOutKeyword, store.OptOutTelnyx, store.OptOutTelnyxList
	Keyword   string
	Text      string
	At        time.Time
	SetBy     string // the teammate of a manual opt-out
	LiftedAt  *time.Time
	LiftedBy  string // the opt-in keyword, or store.OptOutManual
	// LiftedNumber is our number the opt-in came to; LiftedByUser the
	// teammate of a manual opt-in.
	LiftedNumber E164
	LiftedByUser string
}

// OptOutHistory is remote's consent history, newest first: every opt-out
// recorded here and the opt-in that lifted it.
func (b *Bridge) OptOutHistory(ctx context.Context, remote E164) ([]OptOutRecord, error) {
	rows, err := b.st.OptOutHistory(ctx, string(remote))
	if err != nil {
		return nil, err
	}
	out := make([]OptOutRecord, len(rows))
	for i, r := range rows {
		out[i] = recordOf(&r)
	}
	return out, nil
}

func recordOf(r *store.OptOut) OptOutRecord {
	return OptOutRecord{ID: r.ID, From: E164(r.OurNumber), ProfileID: r.ProfileID, Source: r.Source, Keyword: r.Keyword,
		Text: r.Text, At: r.CreatedAt, SetBy: r.SetBy, LiftedAt: r.LiftedAt, LiftedBy: r.LiftedBy,
		LiftedNumber: E164(r.LiftedNumber), LiftedByUser: r.LiftedByUser}
}

// LearnTelnyxOptOut records an opt-out found on Telnyx's opt-out list, so
// the policy refuses sends to them here too (and what is scheduled to them
// is cancelled). It reports whether it was new to smsbridge.
func (b *Bridge) LearnTelnyxOptOut(ctx context.Context, o telnyxacct.OptOut) (bool, error) {
	if o.To == "" || (o.From == "" && o.MessagingProfileID == "") {
		return false, nil
	}
	return b.RecordOptOut(ctx, E164(o.From), E164(o.To), o.MessagingProfileID, store.OptOutTelnyxList, o.Keyword, "")
}

package consent

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
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

// Domain is what the policy asks of the rest of the domain: what a
// conversation's header shows (it rewrites those whose opt-out flag
// changed) and a teammate's name (the transcript's sent_by).
// bridge.Bridge implements it.
type Domain interface {
	HeaderFor(ctx context.Context, c *store.Conversation) domain.Header
	// UserName names a Slack user; without a namer, the id.
	UserName(ctx context.Context, id string) string
}

// Deps is what the policy works with: the rest of the domain, the store,
// the chat poster, the log.
type Deps struct {
	Domain Domain
	Store  *store.Store
	Poster domain.Poster
	Log    *slog.Logger
}

// Policy is the one opt-out policy, its records and their exports.
type Policy struct {
	d      Domain
	st     *store.Store
	poster domain.Poster
	log    *slog.Logger
	hooks  []domain.OptOutHook // OnOptOut
}

// New makes the policy.
func New(deps Deps) *Policy {
	return &Policy{d: deps.Domain, st: deps.Store, poster: deps.Poster, log: deps.Log}
}

// MayText lists the recipients of to that may not be texted now from
// from (one of our numbers, a short code or a sender ID) or, when from is
// empty, from any number of the messaging profile (a number pool). An
// empty answer means every recipient may be texted. A group is also
// blocked by a record of the whole group (from before opt-outs named
// members).
func (pol *Policy) MayText(ctx context.Context, from domain.E164, profile string, to []domain.E164) ([]domain.Blocked, error) {
	var ours []string
	if from != "" {
		ours = append(ours, string(from))
		p, err := pol.profileOf(ctx, from, profile)
		if err != nil {
			return nil, err
		}
		profile = p
	} else if profile != "" {
		nums, err := pol.st.NumbersOfProfile(ctx, profile)
		if err != nil {
			return nil, err
		}
		ours = nums
	}
	remotes := domain.E164Strings(to)
	if len(to) > 1 {
		remotes = append(remotes, domain.RemoteKey(to))
	}
	rows, err := pol.st.ActiveOptOuts(ctx, remotes, ours, profile)
	if err != nil {
		return nil, err
	}
	var out []domain.Blocked
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Remote] {
			continue
		}
		seen[r.Remote] = true
		out = append(out, domain.Blocked{Remote: domain.E164(r.Remote), Source: r.Source, Keyword: r.Keyword, At: r.CreatedAt})
	}
	return out, nil
}

// profileOf is profile, or when it is empty the messaging profile our
// number is known to be on ("" when unknown).
func (pol *Policy) profileOf(ctx context.Context, our domain.E164, profile string) (string, error) {
	if profile != "" || our == "" {
		return profile, nil
	}
	return pol.st.NumberProfile(ctx, string(our))
}

// NumbersOf is our number and, with a profile, every number known to be on
// it: what a STOP to our number blocks.
func (pol *Policy) NumbersOf(ctx context.Context, our domain.E164, profile string) ([]string, error) {
	ours := []string{string(our)}
	if profile == "" {
		return ours, nil
	}
	nums, err := pol.st.NumbersOfProfile(ctx, profile)
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
func (pol *Policy) OnOptOut(h domain.OptOutHook) { pol.hooks = append(pol.hooks, h) }

// RecordOptOut records that remote opted out of texts from our number (and
// its profile, when known), refreshes what the conversations with remote
// show, and runs the opt-out hooks. It reports whether the opt-out is new;
// recording one already active changes nothing.
func (pol *Policy) RecordOptOut(ctx context.Context, our, remote domain.E164, profile, source, keyword, text string) (bool, error) {
	return pol.recordOptOut(ctx, &store.OptOut{Remote: string(remote), OurNumber: string(our), ProfileID: profile,
		Source: source, Keyword: keyword, Text: domain.Truncate(text, 160)})
}

// recordOptOut is RecordOptOut of a record made by the caller (a manual
// one names its teammate).
func (pol *Policy) recordOptOut(ctx context.Context, o *store.OptOut) (bool, error) {
	our, remote := domain.E164(o.OurNumber), domain.E164(o.Remote)
	profile, err := pol.profileOf(ctx, our, o.ProfileID)
	if err != nil {
		return false, err
	}
	o.ProfileID = profile
	added, err := pol.st.AddOptOut(ctx, o)
	if err != nil || !added {
		return false, err
	}
	convs, err := pol.conversationsWithMember(ctx, our, profile, remote)
	if err != nil {
		return true, err
	}
	if err := pol.refreshOptOutFlags(ctx, convs); err != nil {
		return true, err
	}
	for _, h := range pol.hooks {
		h(ctx, our, remote, profile)
	}
	return true, nil
}

// RecordOptIn lifts remote's opt-outs from our number (and its profile),
// and the whole-group records of groups remote is in, then refreshes what
// the conversations show. It reports whether anything was lifted.
func (pol *Policy) RecordOptIn(ctx context.Context, our, remote domain.E164, profile, keyword, text string) (bool, error) {
	return pol.recordOptIn(ctx, our, remote, profile, store.Lift{By: keyword, Text: domain.Truncate(text, 160), Number: string(our)})
}

func (pol *Policy) recordOptIn(ctx context.Context, our, remote domain.E164, profile string, lift store.Lift) (bool, error) {
	profile, err := pol.profileOf(ctx, our, profile)
	if err != nil {
		return false, err
	}
	n, err := pol.st.LiftOptOuts(ctx, string(remote), string(our), profile, lift)
	if err != nil {
		return false, err
	}
	convs, err := pol.conversationsWithMember(ctx, our, profile, remote)
	if err != nil {
		return n > 0, err
	}
	for _, c := range convs {
		if strings.Contains(c.RemoteKey, ",") {
			m, err := pol.st.LiftOptOuts(ctx, c.RemoteKey, c.OurNumber, "", lift)
			if err != nil {
				return n > 0, err
			}
			n += m
		}
	}
	if n == 0 {
		return false, nil
	}
	return true, pol.refreshOptOutFlags(ctx, convs)
}

func (pol *Policy) conversationsWithMember(ctx context.Context, our domain.E164, profile string, remote domain.E164) ([]store.Conversation, error) {
	ours, err := pol.NumbersOf(ctx, our, profile)
	if err != nil {
		return nil, err
	}
	return pol.st.ConversationsWithMember(ctx, ours, string(remote))
}

// refreshOptOutFlags sets the opted-out flag each of convs (the
// conversations with a number whose opt-out changed: 1:1 and groups, on our
// number and its profile's) shows from the records, and rewrites the
// headers whose flag changed.
func (pol *Policy) refreshOptOutFlags(ctx context.Context, convs []store.Conversation) error {
	for i := range convs {
		c := &convs[i]
		bl, err := pol.MayText(ctx, domain.E164(c.OurNumber), "", domain.Remotes(c.RemoteKey))
		if err != nil {
			return err
		}
		out, kw := len(bl) > 0, ""
		var at *time.Time
		if out {
			kw, at = domain.OrDefault(bl[0].Keyword, "STOP"), &bl[0].At
		}
		if out == c.OptedOut && kw == c.OptOutKeyword {
			continue
		}
		if err := pol.st.UpdateConversation(ctx, c.ID, map[string]any{"opted_out": out, "opt_out_keyword": kw, "opt_out_at": at}); err != nil {
			return err
		}
		c.OptedOut, c.OptOutKeyword, c.OptOutAt = out, kw, at
		if thread, ok := domain.CurrentThread(c); ok {
			if err := pol.poster.UpdateHeader(ctx, thread, pol.d.HeaderFor(ctx, c)); err != nil {
				pol.log.Warn("update header after opt-out change", "conversation", c.ID, "err", err)
			}
		}
	}
	return nil
}

// RecordTelnyxOptOut records the opt-out Telnyx reported (40300) for a
// conversation's recipient: the member of a 1:1, or, since Telnyx does not
// say which member, the whole group.
func (pol *Policy) RecordTelnyxOptOut(ctx context.Context, conv *store.Conversation) error {
	_, err := pol.RecordOptOut(ctx, domain.E164(conv.OurNumber), domain.E164(conv.RemoteKey), "", store.OptOutTelnyx, "", "")
	return err
}

// OptOutRecord is one entry of a number's consent history.
type OptOutRecord struct {
	ID        uint64
	From      domain.E164 // our number ("" when only the profile is known)
	ProfileID string      // the messaging profile it covers, when known
	Source    string      // store.OptOutKeyword, store.OptOutTelnyx, store.OptOutTelnyxList
	Keyword   string
	Text      string
	At        time.Time
	SetBy     string // the teammate of a manual opt-out
	LiftedAt  *time.Time
	LiftedBy  string // the opt-in keyword, or store.OptOutManual
	// LiftedNumber is our number the opt-in came to; LiftedByUser the
	// teammate of a manual opt-in.
	LiftedNumber domain.E164
	LiftedByUser string
}

// OptOutHistory is remote's consent history, newest first: every opt-out
// recorded here and the opt-in that lifted it.
func (pol *Policy) OptOutHistory(ctx context.Context, remote domain.E164) ([]OptOutRecord, error) {
	rows, err := pol.st.OptOutHistory(ctx, string(remote))
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
	return OptOutRecord{ID: r.ID, From: domain.E164(r.OurNumber), ProfileID: r.ProfileID, Source: r.Source, Keyword: r.Keyword,
		Text: r.Text, At: r.CreatedAt, SetBy: r.SetBy, LiftedAt: r.LiftedAt, LiftedBy: r.LiftedBy,
		LiftedNumber: domain.E164(r.LiftedNumber), LiftedByUser: r.LiftedByUser}
}

// LearnTelnyxOptOut records an opt-out found on Telnyx's opt-out list, so
// the policy refuses sends to them here too (and what is scheduled to them
// is cancelled). It reports whether it was new to smsbridge.
func (pol *Policy) LearnTelnyxOptOut(ctx context.Context, o telnyxacct.OptOut) (bool, error) {
	if o.To == "" || (o.From == "" && o.MessagingProfileID == "") {
		return false, nil
	}
	return pol.RecordOptOut(ctx, domain.E164(o.From), domain.E164(o.To), o.MessagingProfileID, store.OptOutTelnyxList, o.Keyword, "")
}

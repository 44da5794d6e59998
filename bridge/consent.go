package bridge

import (
	"context"
	"io"

	"github.com/smsbridge/smsbridge/bridge/consent"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// The opt-out policy and the consent record are package consent's. These
// names keep its importers (the Slack side, webhooks, cmd/smsbridge)
// unchanged; the methods below are the policy's, on the bridge.
type OptOutRecord = consent.OptOutRecord

var (
	ConsentCSVHeader    = consent.ConsentCSVHeader
	TranscriptCSVHeader = consent.TranscriptCSVHeader
)

// MayText lists the recipients of to that may not be texted now from from
// (or, when from is empty, from any number of profile); empty: all may.
func (b *Bridge) MayText(ctx context.Context, from E164, profile string, to []E164) ([]Blocked, error) {
	return b.consent.MayText(ctx, from, profile, to)
}

// OnOptOut registers h; call it before the engine runs.
func (b *Bridge) OnOptOut(h OptOutHook) { b.consent.OnOptOut(h) }

// RecordOptOut records that remote opted out of texts from our number (and
// its profile), and reports whether the opt-out is new.
func (b *Bridge) RecordOptOut(ctx context.Context, our, remote E164, profile, source, keyword, text string) (bool, error) {
	return b.consent.RecordOptOut(ctx, our, remote, profile, source, keyword, text)
}

// RecordOptIn lifts remote's opt-outs from our number (and its profile),
// and reports whether anything was lifted.
func (b *Bridge) RecordOptIn(ctx context.Context, our, remote E164, profile, keyword, text string) (bool, error) {
	return b.consent.RecordOptIn(ctx, our, remote, profile, keyword, text)
}

// ManualOptOut records a teammate's (by) opt-out of remote from our number.
func (b *Bridge) ManualOptOut(ctx context.Context, our, remote E164, by string) (bool, error) {
	return b.consent.ManualOptOut(ctx, our, remote, by)
}

// ManualOptIn lifts remote's opt-outs from our number on a teammate's word.
func (b *Bridge) ManualOptIn(ctx context.Context, our, remote E164, by string) (bool, error) {
	return b.consent.ManualOptIn(ctx, our, remote, by)
}

// OptOutHistory is remote's consent history, newest first.
func (b *Bridge) OptOutHistory(ctx context.Context, remote E164) ([]OptOutRecord, error) {
	return b.consent.OptOutHistory(ctx, remote)
}

// LearnTelnyxOptOut records an opt-out found on Telnyx's opt-out list and
// reports whether it was new to smsbridge.
func (b *Bridge) LearnTelnyxOptOut(ctx context.Context, o telnyxacct.OptOut) (bool, error) {
	return b.consent.LearnTelnyxOptOut(ctx, o)
}

// WriteConsentCSV writes every consent record, oldest first, as CSV.
func (b *Bridge) WriteConsentCSV(ctx context.Context, w io.Writer) error {
	return b.consent.WriteConsentCSV(ctx, w)
}

// WriteTranscript writes every message with remote as CSV and returns how
// many it wrote.
func (b *Bridge) WriteTranscript(ctx context.Context, w io.Writer, remote E164) (int, error) {
	return b.consent.WriteTranscript(ctx, w, remote)
}

// UserName names a Slack user for a note; without a namer, the id
// (consent.Domain).
func (b *Bridge) UserName(ctx context.Context, id string) string { return b.userName(ctx, id) }

var _ consent.Domain = (*Bridge)(nil)

package consent

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// The consent record is the opt-out records of the one policy (optout.go):
// every opt-out (a keyword with its text, Telnyx's 40300, Telnyx's list, a
// teammate's manual change with who made it), with when and from which of
// our numbers, and the opt-in that lifted it (keyword and text, or the
// teammate, and the number it came to). Records are never deleted or
// rewritten: a lifted one stays, and a new opt-out is a new record. This
// file adds the manual changes and the exports (a CSV of every record, a
// number's transcript), each written a page at a time.

// exportBatch is how many rows an export reads at a time.
const exportBatch = 500

// ManualOptOut records that a teammate (by) opted remote out of texts
// from our number (and its profile, when known), as a keyword would. It
// reports whether it is new; one already active changes nothing.
func (pol *Policy) ManualOptOut(ctx context.Context, our, remote domain.E164, by string) (bool, error) {
	return pol.recordOptOut(ctx, &store.OptOut{Remote: string(remote), OurNumber: string(our), Source: store.OptOutManual, SetBy: by})
}

// ManualOptIn lifts remote's opt-outs from our number (and its profile) on
// a teammate's word (by): the remote told them another way. It reports
// whether anything was lifted.
func (pol *Policy) ManualOptIn(ctx context.Context, our, remote domain.E164, by string) (bool, error) {
	return pol.recordOptIn(ctx, our, remote, "", store.Lift{By: store.OptOutManual, Number: string(our), User: by})
}

// ConsentCSVHeader is the first row of the consent export.
var ConsentCSVHeader = []string{"record", "number", "our_number", "profile_id", "opted_out_at", "source", "keyword", "text",
	"set_by", "opted_in_at", "opt_in", "opt_in_text", "opt_in_number", "opt_in_by"}

// WriteConsentCSV writes every consent record, oldest first, as CSV
// (ConsentCSVHeader), reading a page at a time. Times are UTC RFC 3339;
// Slack users are written as their id.
func (pol *Policy) WriteConsentCSV(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ConsentCSVHeader); err != nil {
		return err
	}
	err := pol.st.EachOptOut(ctx, exportBatch, func(o *store.OptOut) error {
		lifted := ""
		if o.LiftedAt != nil {
			lifted = csvTime(*o.LiftedAt)
		}
		return cw.Write([]string{strconv.FormatUint(o.ID, 10), o.Remote, o.OurNumber, o.ProfileID, csvTime(o.CreatedAt), o.Source,
			csvText(o.Keyword), csvText(o.Text), o.SetBy, lifted, csvText(o.LiftedBy), csvText(o.LiftText), o.LiftedNumber, o.LiftedByUser})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// TranscriptCSVHeader is the first row of a transcript.
var TranscriptCSVHeader = []string{"time", "conversation", "kind", "direction", "from", "to", "sent_by", "status", "error", "text", "media"}

// WriteTranscript writes every message of every conversation with remote
// (1:1 and groups, on any of our numbers), in the order stored, as CSV
// (TranscriptCSVHeader), reading a page at a time. It returns how many
// messages it wrote. sent_by is the teammate (name and Slack id) of an
// outbound message and the sender's number of an inbound one.
func (pol *Policy) WriteTranscript(ctx context.Context, w io.Writer, remote domain.E164) (int, error) {
	convs, err := pol.st.ConversationsOfRemote(ctx, string(remote))
	if err != nil {
		return 0, err
	}
	byID := map[uint64]*store.Conversation{}
	ids := make([]uint64, len(convs))
	for i := range convs {
		byID[convs[i].ID], ids[i] = &convs[i], convs[i].ID
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(TranscriptCSVHeader); err != nil {
		return 0, err
	}
	names := map[string]string{}
	n := 0
	err = pol.st.EachMessage(ctx, ids, exportBatch, func(m *store.Message) error {
		n++
		return cw.Write(pol.transcriptRow(ctx, byID[m.ConversationID], m, names))
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}

func (pol *Policy) transcriptRow(ctx context.Context, c *store.Conversation, m *store.Message, names map[string]string) []string {
	from, to, by := m.FromNumber, m.ToNumbers, m.FromNumber
	if m.Direction == store.Outbound {
		if from == "" {
			from = c.OurNumber
		}
		if to == "" {
			to = c.RemoteKey
		}
		by = ""
		if m.AuthorID != "" {
			if _, ok := names[m.AuthorID]; !ok {
				names[m.AuthorID] = pol.d.UserName(ctx, m.AuthorID)
			}
			by = names[m.AuthorID] + " (" + m.AuthorID + ")"
			if names[m.AuthorID] == m.AuthorID {
				by = m.AuthorID
			}
		}
	} else if to == "" {
		to = c.OurNumber
	}
	var media []string
	if m.Media != "" {
		_ = json.Unmarshal([]byte(m.Media), &media)
	}
	return []string{csvTime(m.CreatedAt), c.OurNumber + " ↔ " + c.RemoteKey, domain.OrDefault(c.Kind, store.KindSMS), m.Direction,
		from, to, by, m.Status, csvText(m.ErrorText), csvText(m.Text), strings.Join(media, " ")}
}

func csvTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// csvText keeps a text a spreadsheet would run as a formula (=, +, -, @
// first) a text: a phone can send "=HYPERLINK(…)".
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

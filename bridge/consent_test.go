package bridge

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/store"
)

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, b)
	}
	return rows
}

// Every opt-out and opt-in is kept, with its text, time, our number and
// the teammate of a manual change, and the export has each.
func TestConsentExportHasEveryOptOutAndOptIn(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "Stop"))
	h.drain()
	h.clock.Advance(60_000_000_000)
	h.ingest(inboundBody("e2", "m2", "+13125550123", "+18445550001", "start"))
	h.drain()
	if ok, err := h.b.ManualOptOut(ctx, "+18445550001", "+13125550123", "U7"); err != nil || !ok {
		t.Fatalf("manual opt-out: %v %v", ok, err)
	}
	if bl, _ := h.b.MayText(ctx, "+18445550001", "", []E164{"+13125550123"}); len(bl) != 1 {
		t.Fatalf("a manual opt-out must block like a STOP: %+v", bl)
	}
	if ok, err := h.b.ManualOptIn(ctx, "+18445550001", "+13125550123", "U8"); err != nil || !ok {
		t.Fatalf("manual opt-in: %v %v", ok, err)
	}
	var buf bytes.Buffer
	if err := h.b.WriteConsentCSV(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	if !slices.Equal(rows[0], ConsentCSVHeader) || len(rows) != 3 {
		t.Fatalf("export:\n%s", buf.String())
	}
	at := "2026-08-20T15:00:00Z"
	want1 := []string{"1", "+13125550123", "+18445550001", "", at, store.OptOutKeyword, "STOP", "Stop", "", "2026-08-20T15:01:00Z", "START", "start", "+18445550001", ""}
	if !slices.Equal(rows[1], want1) {
		t.Errorf("keyword record\n got %q\nwant %q", rows[1], want1)
	}
	r := rows[2]
	if r[5] != store.OptOutManual || r[8] != "U7" || r[9] == "" || r[10] != store.OptOutManual || r[12] != "+18445550001" || r[13] != "U8" {
		t.Errorf("manual record %q: want source manual set by U7, lifted manually by U8 on our number", r)
	}
}

func TestTranscriptHasBothDirectionsWhoSentStatesAndMedia(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.b.SetInboxHooks(mapNamer{"U1": "Dana"}, nil)
	h.ingest(inboundBody("e1", "m1", "+13125550123", "+18445550001", "=1+1 is my question"))
	h.drain()
	conv, err := h.st.ConversationByNumbers(ctx, store.KindSMS, "+18445550001", "+13125550123")
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(60_000_000_000)
	if _, err := h.st.InsertMessage(ctx, &store.Message{ConversationID: conv.ID, Direction: store.Outbound, FromNumber: "+18445550001",
		ToNumbers: "+13125550123", Text: "It is 2", Media: `["https://example.com/a.png"]`, Status: store.OutDelivered, AuthorID: "U1"}); err != nil {
		t.Fatal(err)
	}
	other, _, _ := h.st.FindOrCreateConversation(ctx, store.KindSMS, "+18445550001", "+13125550777")
	h.st.InsertMessage(ctx, &store.Message{ConversationID: other.ID, Direction: store.Inbound, Text: "not theirs"})
	var buf bytes.Buffer
	n, err := h.b.WriteTranscript(ctx, &buf, "+13125550123")
	if err != nil || n != 2 {
		t.Fatalf("WriteTranscript: %d, %v\n%s", n, err, buf.String())
	}
	rows := readCSV(t, buf.Bytes())
	want := [][]string{TranscriptCSVHeader,
		{"2026-08-20T15:00:00Z", "+18445550001 ↔ +13125550123", "sms", "inbound", "+13125550123", "+13125550123,+18445550001", "+13125550123", rows[1][7], "", "'=1+1 is my question", ""},
		{"2026-08-20T15:01:00Z", "+18445550001 ↔ +13125550123", "sms", "outbound", "+18445550001", "+13125550123", "Dana (U1)", store.OutDelivered, "", "It is 2", "https://example.com/a.png"},
	}
	if len(rows) != len(want) {
		t.Fatalf("transcript:\n%s", buf.String())
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if strings.Contains(buf.String(), "not theirs") {
		t.Error("another number's conversation is in the transcript")
	}
}

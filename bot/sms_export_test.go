package bot

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/store"
)

func csvRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, b)
	}
	return rows
}

func TestConsentHistoryAndManualChanges(t *testing.T) {
	e := newSMSEnv(t)
	mustContain(t, e.text(userAlice, chSupport, "consent (312) 555-0123"), "no opt-out or opt-in")
	if _, err := e.br.RecordOptOut(e.ctx, ourNumber, remote, "", store.OptOutKeyword, "STOP", "stop texting me"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.br.RecordOptIn(e.ctx, ourNumber, remote, "", "START", "start"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.text(userAlice, chSupport, "consent +13125550123 optout"), "Recorded: +1 312-555-0123 opted out of +1 844-555-0001 (by you)")
	if bl, _ := e.br.MayText(e.ctx, ourNumber, "", []bridge.E164{remote}); len(bl) != 1 {
		t.Fatalf("a manual opt-out does not block: %+v", bl)
	}
	mustContain(t, e.text(userAlice, chSupport, "send +13125550123 hello"), "opted out")
	mustContain(t, e.text(userAlice, chSupport, "consent +13125550123 optin"), "only smsbridge admins may record an opt-in")
	mustContain(t, e.text(userAdmin, chSupport, "consent +13125550123 optin"), "Recorded: +1 312-555-0123 opted back in")
	mustContain(t, e.text(userAdmin, chSupport, "consent +13125550123 optin"), "no opt-out from +1 844-555-0001 to lift")
	got := e.text(userAlice, chSupport, "consent (312) 555-0123")
	mustContain(t, got, "*Consent history of +1 312-555-0123*",
		"opted out of +1 844-555-0001 on 2026-11-26 12:00 UTC (recorded by <@UALICE>); opted back in on 2026-11-26 12:00 UTC, recorded by <@UADMIN>.",
		`(texted STOP: "stop texting me"); opted back in on 2026-11-26 12:00 UTC (texted START).`)
	if strings.Index(got, "recorded by <@UALICE>") > strings.Index(got, "texted STOP") {
		t.Errorf("history is not newest first:\n%s", got)
	}
	mustContain(t, e.text(userAlice, chSupport, "consent +13125550123 maybe"), "optout or optin")
}

func TestConsentExportUploadsEveryRecordToTheAdminsDM(t *testing.T) {
	e := newSMSEnv(t)
	e.br.RecordOptOut(e.ctx, ourNumber, remote, "", store.OptOutKeyword, "STOP", "=HYPERLINK(\"x\")")
	e.text(userAlice, chSupport, "consent +13125550124 optout")
	mustContain(t, e.text(userAlice, chSupport, "consent export"), "for smsbridge admins")
	if n := len(e.slack.Uploads()); n != 0 {
		t.Fatalf("a teammate's export uploaded %d files", n)
	}
	mustContain(t, e.text(userAdmin, chSupport, "consent export"), "in your direct messages", "smsbridge-consent-2026-11-26.csv")
	ups := e.slack.Uploads()
	if len(ups) != 1 || !strings.HasPrefix(ups[0].Channel, "D") || ups[0].Filename != "smsbridge-consent-2026-11-26.csv" {
		t.Fatalf("uploads %+v", ups)
	}
	if dm := e.slack.Calls("conversations.open"); len(dm) != 1 || dm[0].Params["users"][0] != userAdmin {
		t.Fatalf("conversations.open calls %+v, want one for the admin", dm)
	}
	rows := csvRows(t, ups[0].Content)
	at := "2026-11-26T12:00:00Z"
	want := [][]string{bridge.ConsentCSVHeader,
		{"1", remote, ourNumber, "", at, "keyword", "STOP", `'=HYPERLINK("x")`, "", "", "", "", "", ""},
		{"2", "+13125550124", ourNumber, "", at, "manual", "", "", userAlice, "", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV:\n%s", ups[0].Content)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
}

func TestExportUploadsTheTranscriptToTheAskersDM(t *testing.T) {
	e := newSMSEnv(t)
	e.text(userAlice, chSupport, "send +13125550123 Your table is ready")
	conv, err := e.st.ConversationByNumbers(e.ctx, store.KindSMS, ourNumber, remote)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(90_000_000_000)
	telnyxID := "in-1"
	if _, err := e.st.InsertMessage(e.ctx, &store.Message{ConversationID: conv.ID, Direction: store.Inbound, TelnyxID: &telnyxID,
		FromNumber: remote, ToNumbers: ourNumber, Text: "On my way", Media: `["https://media.telnyx.example/p.jpg"]`, Status: "received"}); err != nil {
		t.Fatal(err)
	}
	got := e.text(userAlice, chSupport, "export (312) 555-0123")
	mustContain(t, got, "transcript of +1 312-555-0123 (2 messages)", "smsbridge-transcript-13125550123-2026-11-26.csv")
	ups := e.slack.Uploads()
	if len(ups) != 1 || ups[0].Channel != "DALICE" {
		t.Fatalf("uploads %+v, want one in Alice's DM", ups)
	}
	rows := csvRows(t, ups[0].Content)
	conversation := ourNumber + " ↔ " + remote
	want := [][]string{bridge.TranscriptCSVHeader,
		{"2026-11-26T12:00:00Z", conversation, "sms", "outbound", ourNumber, remote, "alice (UALICE)", rows[1][7], "", "Your table is ready", ""},
		{"2026-11-26T12:01:30Z", conversation, "sms", "inbound", remote, ourNumber, remote, "received", "", "On my way", "https://media.telnyx.example/p.jpg"},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV:\n%s", ups[0].Content)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if rows[1][7] != store.OutQueued && rows[1][7] != store.OutSent {
		t.Errorf("outbound delivery state %q, want queued", rows[1][7])
	}
	mustContain(t, e.text(userAlice, chSupport, "export"), "Missing the number")
}

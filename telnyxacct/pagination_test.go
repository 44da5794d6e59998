package telnyxacct_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

func seedOptOuts(srv *faketelnyx.Server, n int) {
	var os []map[string]any
	for i := range n {
		os = append(os, faketelnyx.OptOut(faketelnyx.DefaultNumber, fmt.Sprintf("+1312555%04d", i), "STOP", time.Date(2026, 8, 1, 0, i, 0, 0, time.UTC)))
	}
	srv.SetOptOuts(os...)
}

func TestIteratorFetchesPagesLazily(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	seedOptOuts(srv, 5) // pages of 2: [0 1] [2 3] [4]
	pagesSeen := []int{}
	var got []string
	for o, err := range c.ListOptOuts(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o.To)
		pagesSeen = append(pagesSeen, len(srv.RequestsTo("GET /messaging_optouts")))
	}
	if len(got) != 5 || got[0] != "+13125550000" || got[4] != "+13125550004" {
		t.Errorf("items = %v", got)
	}
	// Item i is read after page i/2+1 was fetched, not before.
	if fmt.Sprint(pagesSeen) != "[1 1 2 2 3]" {
		t.Errorf("requests made when each item was read = %v, want [1 1 2 2 3]", pagesSeen)
	}
	reqs := srv.RequestsTo("GET /messaging_optouts")
	for i, r := range reqs {
		if r.Query.Get("page[number]") != fmt.Sprint(i+1) || r.Query.Get("page[size]") != "2" {
			t.Errorf("request %d query = %v", i, r.Query)
		}
	}
}

func TestIteratorStoppingEarlyFetchesNoMore(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	seedOptOuts(srv, 6)
	n := 0
	for _, err := range c.ListOptOuts(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	if got := len(srv.RequestsTo("GET /messaging_optouts")); got != 2 {
		t.Errorf("%d pages fetched after reading 3 items of 2-item pages, want 2", got)
	}
}

func TestIteratorYieldsErrorAndStops(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	seedOptOuts(srv, 6)
	srv.Handle("GET /messaging_optouts", func(r faketelnyx.Request) faketelnyx.Response {
		if r.Query.Get("page[number]") == "2" {
			// The spec declares this endpoint's 401 body as a bare
			// messaging_Error, not {"errors": [...]}.
			return faketelnyx.BareError(401, "10009", "Authentication failed", "")
		}
		return faketelnyx.JSON(map[string]any{
			"data": []any{faketelnyx.OptOut(faketelnyx.DefaultNumber, "+13125550000", "STOP", time.Now()), faketelnyx.OptOut(faketelnyx.DefaultNumber, "+13125550001", "STOP", time.Now())},
			"meta": map[string]any{"page_number": 1, "page_size": 2, "total_pages": 3, "total_results": 6},
		})
	})
	var items, errs int
	for _, err := range c.ListOptOuts(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{PageSize: 2}) {
		if err != nil {
			errs++
			if !telnyx.IsUnauthorized(err) {
				t.Errorf("err = %v", err)
			}
			continue
		}
		items++
	}
	if items != 2 || errs != 1 {
		t.Errorf("items %d errs %d, want 2 then 1 error", items, errs)
	}
	if n := len(srv.RequestsTo("GET /messaging_optouts")); n != 2 {
		t.Errorf("%d requests, want 2 (no page 3 after the error)", n)
	}
}

func TestNumberIteratorAcrossPages(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	var ns []map[string]any
	for i := range 7 {
		ns = append(ns, faketelnyx.Number(fmt.Sprint(1000+i), fmt.Sprintf("+1844555%04d", i), faketelnyx.DefaultProfileID))
	}
	srv.SetNumbers(ns...)
	n := 0
	for _, err := range c.ListNumberSettings(telnyxtest.Ctx(t), telnyxacct.NumberFilter{PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 7 || len(srv.RequestsTo("GET /phone_numbers/messaging")) != 3 {
		t.Errorf("%d numbers in %d requests, want 7 in 3", n, len(srv.RequestsTo("GET /phone_numbers/messaging")))
	}
	items, meta, err := c.ListNumberSettingsPage(telnyxtest.Ctx(t), telnyxacct.NumberFilter{}, 3, 3)
	if err != nil || len(items) != 1 || meta.TotalPages != 3 || meta.TotalResults != 7 || meta.PageNumber != 3 {
		t.Errorf("page 3 = %d items %+v %v", len(items), meta, err)
	}
}

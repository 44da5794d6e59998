package telnyxacct_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
	"github.com/smsbridge/smsbridge/internal/telnyxtest"
	"github.com/smsbridge/smsbridge/telnyx"
	"github.com/smsbridge/smsbridge/telnyxacct"
)

// These run the account's calls against the spec-validating fake; telnyx/'s
// TestEveryOperationIsExercised covers the two packages' operations
// together.

func TestContractOptOuts(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	after := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var got []telnyxacct.OptOut
	for o, err := range c.ListOptOuts(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{
		MessagingProfileID: faketelnyx.DefaultProfileID, From: faketelnyx.DefaultNumber,
		CreatedAfter: after, CreatedBefore: before, RedactionEnabled: true, PageSize: 50,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	if len(got) != 1 || got[0].To != "+13125550123" || got[0].Keyword != "STOP" || got[0].CreatedAt.IsZero() {
		t.Errorf("opt-outs = %+v", got)
	}
	q := srv.RequestsTo("GET /messaging_optouts")[0].Query
	want := map[string]string{
		"filter[messaging_profile_id]": faketelnyx.DefaultProfileID, "filter[from]": faketelnyx.DefaultNumber,
		"created_at[gte]": "2026-07-01T00:00:00Z", "created_at[lte]": "2026-09-01T00:00:00Z",
		"redaction_enabled": "true", "page[number]": "1", "page[size]": "50",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("query %s = %q, want %q (query %v)", k, q.Get(k), v, q)
		}
	}
}

func TestOptOutCreatedAtInTelnyxSpaceFormat(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	// The spec's own OptOutItem example uses this form, which its
	// format: date-time rejects; real answers use it, so the client must
	// read it. Hence SkipValidation for this scripted answer only.
	srv.Enqueue("GET /messaging_optouts", faketelnyx.Response{SkipValidation: true, Body: map[string]any{
		"data": []any{map[string]any{"from": "+18445550001", "to": "+13125550123", "keyword": nil, "messaging_profile_id": nil, "created_at": "2025-04-28 12:00:38.631252+00:00"}},
		"meta": map[string]any{"page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 1},
	}})
	items, meta, err := c.ListOptOutsPage(telnyxtest.Ctx(t), telnyxacct.OptOutFilter{}, 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 4, 28, 12, 0, 38, 631252000, time.UTC)
	if len(items) != 1 || !items[0].CreatedAt.Equal(want) || meta.TotalResults != 1 {
		t.Errorf("items = %+v meta = %+v", items, meta)
	}
}

func TestContractNumberSettings(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx := telnyxtest.Ctx(t)
	var nums []telnyxacct.NumberSettings
	for n, err := range c.ListNumberSettings(cx, telnyxacct.NumberFilter{MessagingProfileID: faketelnyx.DefaultProfileID, Type: "longcode", Sort: "asc", PhoneNumberContains: "555"}) {
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, n)
	}
	if len(nums) != 2 || nums[0].ID != faketelnyx.DefaultNumberID || nums[0].Features.SMS == nil || !nums[0].Features.SMS.DomesticTwoWay || nums[0].Health == nil {
		t.Errorf("numbers = %+v", nums)
	}
	q := srv.RequestsTo("GET /phone_numbers/messaging")[0].Query
	if q.Get("filter[type]") != "longcode" || q.Get("sort[phone_number]") != "asc" || q.Get("filter[phone_number][contains]") != "555" {
		t.Errorf("query = %v", q)
	}

	n, err := c.GetNumberSettings(cx, faketelnyx.DefaultNumberID)
	if err != nil || n.PhoneNumber != faketelnyx.DefaultNumber {
		t.Fatalf("GetNumberSettings = %+v, %v", n, err)
	}
	newProfile := "dd50eba1-a0c0-4563-9925-b25e842a7cb6"
	n, err = c.UpdateNumberSettings(cx, faketelnyx.DefaultNumberID, telnyxacct.NumberSettingsUpdate{MessagingProfileID: &newProfile, Tags: []string{"support"}})
	if err != nil || n.MessagingProfileID != newProfile || !reflect.DeepEqual(n.Tags, []string{"support"}) {
		t.Fatalf("UpdateNumberSettings = %+v, %v", n, err)
	}
	if b := telnyxtest.LastBody(t, srv, "PATCH /phone_numbers/{id}/messaging"); !reflect.DeepEqual(b, map[string]any{"messaging_profile_id": newProfile, "tags": []any{"support"}}) {
		t.Errorf("PATCH body = %v", b)
	}
	// Unassign: an explicit "".
	if _, err := c.UpdateNumberSettings(cx, faketelnyx.DefaultNumberID, telnyxacct.NumberSettingsUpdate{MessagingProfileID: telnyxtest.Ptr("")}); err != nil {
		t.Fatal(err)
	}
	if b := telnyxtest.LastBody(t, srv, "PATCH /phone_numbers/{id}/messaging"); !reflect.DeepEqual(b, map[string]any{"messaging_profile_id": ""}) {
		t.Errorf("unassign body = %v", b)
	}

	byNum, err := c.NumberSettingsByE164(cx, "+18445550002")
	if err != nil || byNum.ID != "1293384261075731500" {
		t.Fatalf("NumberSettingsByE164 = %+v, %v", byNum, err)
	}
	if q := srv.RequestsTo("GET /phone_numbers/messaging"); q[len(q)-1].Query.Get("filter[phone_number]") != "+18445550002" {
		t.Errorf("lookup query = %v", q[len(q)-1].Query)
	}
	if _, err := c.NumberSettingsByE164(cx, "+18445559999"); !errors.Is(err, telnyxacct.ErrNumberNotFound) || strings.Contains(err.Error(), "+18445559999") {
		t.Errorf("missing number: err = %v, want ErrNumberNotFound with the number masked", err)
	}
}

func TestContractMobileNumberSettings(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx := telnyxtest.Ctx(t)
	var got []telnyxacct.MobileNumberSettings
	for n, err := range c.ListMobileNumberSettings(cx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if len(got) != 1 || got[0].ID != faketelnyx.DefaultMobileNumberID {
		t.Fatalf("mobile numbers = %+v", got)
	}
	if q := srv.RequestsTo("GET /mobile_phone_numbers/messaging")[0].Query; q.Get("page[size]") != "100" {
		t.Errorf("default page size query = %v", q)
	}
	m, err := c.GetMobileNumberSettings(cx, faketelnyx.DefaultMobileNumberID)
	if err != nil || m.PhoneNumber != "+13127367407" || m.Features.SMS == nil {
		t.Fatalf("GetMobileNumberSettings = %+v, %v", m, err)
	}
	items, meta, err := c.ListMobileNumberSettingsPage(cx, 1, 250)
	if err != nil || len(items) != 1 || meta.TotalPages != 1 {
		t.Fatalf("page = %v %+v %v", items, meta, err)
	}
}

func TestContractBulkUpdateAndWait(t *testing.T) {
	srv, c := telnyxtest.Setup(t)
	cx := telnyxtest.Ctx(t)
	nums := []string{"+18445550001", "+18445550002", "+18445550003"}
	order, err := c.BulkUpdateProfiles(cx, telnyxacct.BulkUpdateRequest{MessagingProfileID: faketelnyx.DefaultProfileID, Numbers: nums, AssignOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if order.OrderID == "" || len(order.Pending) != 3 || order.Done() {
		t.Fatalf("order = %+v", order)
	}
	if b := telnyxtest.LastBody(t, srv, "POST /messaging_numbers_bulk_updates"); b["assign_only"] != true || len(b["numbers"].([]any)) != 3 {
		t.Errorf("body = %v", b)
	}
	var seen []telnyxacct.BulkUpdate
	final, err := c.WaitBulkUpdate(cx, order.OrderID, time.Millisecond, func(b telnyxacct.BulkUpdate) { seen = append(seen, b) })
	if err != nil {
		t.Fatal(err)
	}
	if !final.Done() || len(final.Success) != 3 {
		t.Errorf("final = %+v", final)
	}
	// The fake settles one number per read: 3 polls, progress 1, 2, 3.
	if len(seen) != 3 || len(seen[0].Success) != 1 || len(seen[0].Pending) != 2 || len(seen[2].Success) != 3 {
		t.Errorf("progress = %+v", seen)
	}
	if n := len(srv.RequestsTo("GET /messaging_numbers_bulk_updates/{order_id}")); n != 3 {
		t.Errorf("%d polls, want 3", n)
	}

	// Unassigning sends messaging_profile_id "" (it is required).
	if _, err := c.BulkUpdateProfiles(cx, telnyxacct.BulkUpdateRequest{Numbers: nums[:1]}); err != nil {
		t.Fatal(err)
	}
	if b := telnyxtest.LastBody(t, srv, "POST /messaging_numbers_bulk_updates"); b["messaging_profile_id"] != "" {
		t.Errorf("unassign body = %v", b)
	}
}

func TestWaitBulkUpdateStopsWithContext(t *testing.T) {
	srv, c := telnyxtest.Setup(t, telnyx.WithClock(nil, func(ctx context.Context, d time.Duration) error { return context.Canceled }))
	srv.Handle("GET /messaging_numbers_bulk_updates/{order_id}", func(r faketelnyx.Request) faketelnyx.Response {
		return faketelnyx.JSON(map[string]any{"data": map[string]any{"order_id": r.Params["order_id"], "pending": []any{"+18445550001"}, "success": []any{}, "failed": []any{}}})
	})
	_, err := c.WaitBulkUpdate(telnyxtest.Ctx(t), faketelnyx.UUID(), time.Second, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the sleep's context error", err)
	}
}

package faketelnyx_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/smsbridge/smsbridge/internal/faketelnyx"
)

// newQuiet returns a fake whose violations are collected, not fatal.
func newQuiet(t *testing.T) (*faketelnyx.Server, func() []faketelnyx.Violation) {
	var mu sync.Mutex
	var got []faketelnyx.Violation
	srv := faketelnyx.New(t, faketelnyx.WithViolationHook(func(v faketelnyx.Violation) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, v)
	}))
	return srv, func() []faketelnyx.Violation {
		mu.Lock()
		defer mu.Unlock()
		return append([]faketelnyx.Violation(nil), got...)
	}
}

func post(t *testing.T, url, body string, auth bool) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("Authorization", "Bearer test")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestValidRawRequestHasNoViolation(t *testing.T) {
	srv, violations := newQuiet(t)
	resp := post(t, srv.BaseURL+"/messages", `{"from":"+18445550001","to":"+13125550123","text":"hi"}`, true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if v := violations(); len(v) != 0 {
		t.Fatalf("unexpected violations: %v", v)
	}
}

func TestValidatorCatchesWrongTypeInBody(t *testing.T) {
	srv, violations := newQuiet(t)
	// "to" must be a string (ToNumber), not a number.
	resp := post(t, srv.BaseURL+"/messages", `{"from":"+18445550001","to":13125550123,"text":"hi"}`, true)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422 for a request the spec rejects", resp.StatusCode)
	}
	v := violations()
	if len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one request violation", v)
	}
	if got := srv.Violations(); len(got) != 1 {
		t.Errorf("Server.Violations() = %v, want the same one", got)
	}
	if len(srv.RequestsTo("POST /messages")) != 1 {
		t.Errorf("the rejected request was not recorded")
	}
}

func TestValidatorCatchesUndeclaredField(t *testing.T) {
	srv, violations := newQuiet(t)
	// long_code does not take messaging_profile_id: strict mode rejects it.
	post(t, srv.BaseURL+"/messages/long_code", `{"from":"+18445550001","to":"+13125550123","text":"hi","messaging_profile_id":"x"}`, true)
	if v := violations(); len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one for the undeclared property", v)
	}
}

func TestValidatorCatchesMissingRequiredField(t *testing.T) {
	srv, violations := newQuiet(t)
	post(t, srv.BaseURL+"/messages/number_pool", `{"to":"+13125550123","text":"hi"}`, true)
	if v := violations(); len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one for missing messaging_profile_id", v)
	}
}

func TestValidatorCatchesMissingAuth(t *testing.T) {
	srv, violations := newQuiet(t)
	post(t, srv.BaseURL+"/messages", `{"from":"+18445550001","to":"+13125550123","text":"hi"}`, false)
	if v := violations(); len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one for the missing bearer token", v)
	}
}

func TestValidatorCatchesBadQueryParameter(t *testing.T) {
	srv, violations := newQuiet(t)
	req, _ := http.NewRequest(http.MethodGet, srv.BaseURL+"/phone_numbers/messaging?page[size]=900", nil)
	req.Header.Set("Authorization", "Bearer test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := violations(); len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one for page[size] > 250", v)
	}
}

func TestScriptedInvalidResponseIsReported(t *testing.T) {
	srv, violations := newQuiet(t)
	// parts must be an integer 1..10.
	srv.Enqueue("POST /messages", faketelnyx.JSON(map[string]any{"data": map[string]any{"id": faketelnyx.UUID(), "parts": "two"}}))
	post(t, srv.BaseURL+"/messages", `{"from":"+18445550001","to":"+13125550123","text":"hi"}`, true)
	v := violations()
	if len(v) != 1 || v[0].Kind != "response" {
		t.Fatalf("violations = %v, want one response violation", v)
	}
}

func TestUnknownRouteIsAViolation(t *testing.T) {
	srv, violations := newQuiet(t)
	// The wrong bulk update path (see DESIGN.md).
	post(t, srv.BaseURL+"/messaging_numbers/bulk_updates", `{"messaging_profile_id":"","numbers":["+18445550001"]}`, true)
	if v := violations(); len(v) != 1 || v[0].Kind != "request" {
		t.Fatalf("violations = %v, want one for a path the spec lacks", v)
	}
}

func TestInboundMMSFixtureHashIsNotLengthChecked(t *testing.T) {
	// The patched spec drops hash_sha256's wrong 32-character bounds.
	b, err := faketelnyx.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "maxLength: 32") {
		t.Errorf("patched spec still bounds a field to 32 characters")
	}
}

func TestValidatorCatchesUnknownDeepObjectProperty(t *testing.T) {
	srv, violations := newQuiet(t)
	req, _ := http.NewRequest(http.MethodGet, srv.BaseURL+"/messaging_optouts?page[number]=1&page[colour]=blue", nil)
	req.Header.Set("Authorization", "Bearer test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := violations(); len(v) != 1 || !strings.Contains(v[0].String(), "page[colour]") {
		t.Fatalf("violations = %v, want one naming page[colour]", v)
	}
}

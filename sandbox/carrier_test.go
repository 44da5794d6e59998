package sandbox

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestSandboxCarrierHoldsSendersToTheirRate: the sandbox's carrier keeps
// Telnyx's per-sender rates (a toll-free number 20/s, with its burst):
// sends from one of our numbers faster than that are answered 429 with
// code 10011, as Telnyx answers them, so the service's pacing shows.
func TestSandboxCarrierHoldsSendersToTheirRate(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Attach("http://127.0.0.1:1") // no service: the webhooks go nowhere
	limited := 0
	for i := 0; i < 40 && limited == 0; i++ {
		req, _ := http.NewRequest(http.MethodPost, s.Carrier.BaseURL+"/messages",
			strings.NewReader(`{"from":"+18445550001","to":"+13125550100","text":"hi"}`))
		req.Header.Set("Authorization", "Bearer "+s.Settings()["TELNYX_API_KEY"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		_, _ = io.Copy(&body, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			limited++
			if !strings.Contains(body.String(), "10011") {
				t.Errorf("429 without Telnyx's code 10011: %s", body.String())
			}
			if i < 20 {
				t.Errorf("refused after %d sends; a toll-free number may send 20/s with a burst", i)
			}
		case resp.StatusCode != http.StatusOK:
			t.Fatalf("send %d: %d %s", i, resp.StatusCode, body.String())
		}
	}
	if limited == 0 {
		t.Error("40 sends at once from one toll-free number were all taken; Telnyx allows 20/s")
	}
}

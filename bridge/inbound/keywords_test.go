package inbound

import "testing"

func TestKeyword(t *testing.T) {
	for text, want := range map[string]KeywordKind{
		"STOP": KeywordOptOut, "stop": KeywordOptOut, " Stop. ": KeywordOptOut, "unsubscribe": KeywordOptOut,
		"opt out": KeywordOptOut, "START": KeywordOptIn, "unstop": KeywordOptIn, "help": KeywordHelp,
		"please stop by": KeywordNone, "stopping": KeywordNone, "": KeywordNone,
	} {
		if _, got := Keyword(text); got != want {
			t.Errorf("%q: got %v want %v", text, got, want)
		}
	}
}

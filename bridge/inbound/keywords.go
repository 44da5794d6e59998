package inbound

import "strings"

// KeywordKind is what an inbound text's keyword asks for.
type KeywordKind int

const (
	KeywordNone KeywordKind = iota
	KeywordOptOut
	KeywordOptIn
	KeywordHelp
)

// The CTIA keywords carriers and Telnyx honour. A text that is exactly one
// of them (any case, surrounding spaces and punctuation ignored) counts;
// "please stop by tomorrow" does not.
var keywords = map[string]KeywordKind{
	"STOP": KeywordOptOut, "STOPALL": KeywordOptOut, "UNSUBSCRIBE": KeywordOptOut,
	"CANCEL": KeywordOptOut, "END": KeywordOptOut, "QUIT": KeywordOptOut, "OPTOUT": KeywordOptOut,
	"REVOKE": KeywordOptOut,
	"START":  KeywordOptIn, "YES": KeywordOptIn, "UNSTOP": KeywordOptIn, "OPTIN": KeywordOptIn,
	"HELP": KeywordHelp, "INFO": KeywordHelp,
}

// Keyword reports the opt-out, opt-in or help keyword a text is.
func Keyword(text string) (string, KeywordKind) {
	kw := strings.ToUpper(strings.Trim(text, " \t\r\n.!?\"'"))
	kw = strings.ReplaceAll(kw, " ", "")
	if k, ok := keywords[kw]; ok {
		return kw, k
	}
	return "", KeywordNone
}

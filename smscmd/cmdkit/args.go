package cmdkit

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/phone"
	"github.com/smsbridge/smsbridge/slackin"
)

// Reading /sms arguments: numbers in any written form, senders, flags,
// channels, and Slack's own markup in a command's text.

// cmdLink matches what Slack makes of typed links, numbers and channels
// in a slash command's text: <https://x|label>, <tel:+1312…|+1 312…>, <#C1|name>.
var cmdLink = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// Unslack turns a slash command's text back into what the teammate typed:
// links to their URL (numbers to their label) and &amp; &lt; &gt; to & < >.
func Unslack(s string) string {
	s = cmdLink.ReplaceAllStringFunc(s, func(m string) string {
		g := cmdLink.FindStringSubmatch(m)
		target, label := g[1], g[2]
		switch {
		case strings.HasPrefix(target, "tel:"):
			return strings.TrimPrefix(target, "tel:")
		case strings.HasPrefix(target, "mailto:") && label != "":
			return label
		case strings.HasPrefix(target, "#"), strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			return m
		}
		return target
	})
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// NextToken splits the first word (quotes group words) off s and returns
// it and the unparsed rest, so a message text keeps its own spacing.
func NextToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " \t\n")
	if s == "" {
		return "", ""
	}
	if q := s[0]; q == '"' {
		if end := strings.IndexByte(s[1:], '"'); end >= 0 {
			return s[1 : end+1], s[end+2:]
		}
	}
	if i := strings.IndexAny(s, " \t\n"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// ParseNumber normalizes a recipient phone number typed in any common form
// ("(312) 555-0123", "+44 20 7946 0958", "312.555.0123") to E.164.
func ParseNumber(s, region string) (bridge.E164, error) {
	n, err := phone.NormalizeE164(Unslack(s), region)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number I can read (%v)", s, errors.Unwrap(err))
	}
	return bridge.E164(n), nil
}

var (
	shortCodeRe = regexp.MustCompile(`^\d{3,6}$`)
	alphaRe     = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
	hasLetterRe = regexp.MustCompile(`[A-Za-z]`)
)

// Sender kinds.
const (
	SenderNumber    = "number"
	SenderShortCode = "short code"
	SenderAlpha     = "alphanumeric sender ID"
)

// ParseSender reads a --from: a phone number in any form, a short code
// (3–6 digits) or an alphanumeric sender ID (1–11 letters and digits, at
// least one letter).
func ParseSender(s, region string) (from bridge.E164, kind string, err error) {
	s = strings.TrimSpace(Unslack(s))
	switch {
	case shortCodeRe.MatchString(s):
		return bridge.E164(s), SenderShortCode, nil
	case alphaRe.MatchString(s) && hasLetterRe.MatchString(s) && !strings.ContainsAny(s, "+()-."):
		return bridge.E164(s), SenderAlpha, nil
	}
	n, err := ParseNumber(s, region)
	if err != nil {
		return "", "", fmt.Errorf("--from %q is not a phone number, short code (3–6 digits) or alphanumeric sender ID (1–11 letters and digits)", s)
	}
	return n, SenderNumber, nil
}

// channelRef reads a channel argument: <#C123|name>, <#C123> or C123.
var channelRe = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$`)

func ParseChannel(s string) (string, bool) {
	g := channelRe.FindStringSubmatch(strings.TrimSpace(s))
	if g == nil {
		return "", false
	}
	return g[1] + g[2], true
}

// SendOpts are the sender flags of send, group, whatsapp and schedule.
type SendOpts struct {
	From   bridge.E164
	Kind   string
	Pool   bool
	Media  []string
	NoPool bool
	// Reply is a saved Reply's name (--Reply, /sms send only: replyOK).
	Reply   string
	ReplyOK bool
	// ConfirmQuiet: send or schedule into the recipient's quiet hours
	// (--confirm-quiet); TheirTime: read a schedule's time on the
	// recipient's clock (--their-time).
	ConfirmQuiet, TheirTime bool
}

// ParseFlags reads --from, --pool and --media from the front of s and
// returns the rest unparsed.
func ParseFlags(s string, region string, allowPool bool) (SendOpts, string, error) {
	o := SendOpts{NoPool: !allowPool}
	rest, err := o.Consume(s, region)
	return o, rest, err
}

// TrailingFlags reads flags written after the recipient, before the text,
// and returns the text as the teammate typed it.
func TrailingFlags(o *SendOpts, text, region string) (string, error) {
	rest, err := o.Consume(text, region)
	return Unslack(strings.TrimSpace(rest)), err
}

func (o *SendOpts) Consume(s, region string) (string, error) {
	rest := s
	for {
		tok, r := NextToken(rest)
		switch tok {
		case "--from":
			v, r2 := NextToken(r)
			if v == "" {
				return "", slackin.Usagef("--from needs a sender.")
			}
			var err error
			if o.From, o.Kind, err = ParseSender(v, region); err != nil {
				return "", slackin.Usagef("%v.", err)
			}
			rest = r2
			continue
		case "--pool":
			if o.NoPool {
				return "", slackin.Usagef("--pool is not available for this command.")
			}
			o.Pool, rest = true, r
			continue
		case "--reply":
			v, r2 := NextToken(r)
			switch {
			case !o.ReplyOK:
				return "", slackin.Usagef("--reply works with /sms send.")
			case v == "" || strings.HasPrefix(v, "--"):
				return "", slackin.Usagef("--reply needs the name of a saved reply (/sms reply list).")
			}
			o.Reply, rest = v, r2
			continue
		case "--confirm-quiet":
			o.ConfirmQuiet, rest = true, r
			continue
		case "--their-time":
			o.TheirTime, rest = true, r
			continue
		case "--media":
			v, r2 := NextToken(r)
			v = Unslack(v)
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				return "", slackin.Usagef("--media needs a URL, got %q.", v)
			}
			o.Media, rest = append(o.Media, v), r2
			continue
		}
		if strings.HasPrefix(tok, "--") {
			return "", slackin.Usagef("unknown option %s.", tok)
		}
		if o.Pool && o.From != "" {
			return "", slackin.Usagef("Use either --from or --pool, not both.")
		}
		return rest, nil
	}
}

var phoneish = regexp.MustCompile(`^[+0-9().\-/]+$`)

// TakeNumbers reads the recipient(s) at the front of s, where a number may
// be written with spaces ("(312) 555-0123"); several, for a group, are
// separated by commas. It takes the longest run of words that reads as
// valid numbers and returns the unparsed rest (the message text).
func TakeNumbers(s, region string, multi bool) ([]bridge.E164, string, error) {
	var toks, rests []string
	for r := s; ; {
		tok, r2 := NextToken(r)
		plain := Unslack(tok)
		if multi {
			plain = strings.ReplaceAll(plain, ",", "")
		}
		if tok == "" || (plain != "" && !phoneish.MatchString(plain)) {
			break
		}
		toks, rests, r = append(toks, Unslack(tok)), append(rests, r2), r2
	}
	if len(toks) == 0 {
		first, _ := NextToken(s)
		if first == "" {
			return nil, "", slackin.Usagef("Missing the number to text.")
		}
		return nil, s, slackin.Usagef("%q is not a phone number I can read.", first)
	}
	for k := len(toks); k >= 1; k-- {
		parts := []string{strings.Join(toks[:k], " ")}
		if multi {
			parts = strings.Split(parts[0], ",")
		}
		var nums []bridge.E164
		ok := true
		for _, p := range parts {
			if strings.TrimSpace(p) == "" {
				continue
			}
			n, err := ParseNumber(p, region)
			if err != nil {
				ok = false
				break
			}
			if !slices.Contains(nums, n) {
				nums = append(nums, n)
			}
		}
		if ok && len(nums) > 0 {
			return nums, rests[k-1], nil
		}
	}
	_, err := ParseNumber(strings.Join(toks, " "), region)
	return nil, s, slackin.Usagef("%v.", err)
}

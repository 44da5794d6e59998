package phone

import "unicode/utf16"

// SMS encodings as Segments reports them.
const (
	EncGSM7 = "GSM-7"
	EncUCS2 = "UCS-2"
)

// MaxSegments is the most parts Telnyx sends one message in.
const MaxSegments = 10

// SegmentInfo describes how a text travels as SMS.
type SegmentInfo struct {
	Encoding string // EncGSM7 or EncUCS2
	Segments int    // parts the text is split into; 0 for ""
	// Characters counts septets for GSM-7 (an extension character such as
	// € or { counts 2) and UTF-16 code units for UCS-2 (an emoji counts 2).
	Characters int
}

// TooLong reports whether the text needs more than MaxSegments parts.
func (s SegmentInfo) TooLong() bool { return s.Segments > MaxSegments }

// gsmBasic is the GSM 03.38 default alphabet (without the escape 0x1B).
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension are the characters sent as escape + code: 2 septets each.
const gsmExtension = "\f^{}\\[~]|€"

var gsmWidth = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Segments counts the SMS segments of text: GSM-7 when every character is in
// the GSM 03.38 basic or extension table, else UCS-2. A single segment holds
// 160 septets (GSM-7) or 70 code units (UCS-2); once split, each segment
// holds 153 or 67 (the rest is the concatenation header). Splitting never
// cuts an extension character's escape pair or a UTF-16 surrogate pair in
// two: such a character moves whole to the next segment, as handsets and
// carriers do, so a text may need one segment more than a plain division
// would say.
func Segments(text string) SegmentInfo {
	if text == "" {
		return SegmentInfo{Encoding: EncGSM7}
	}
	widths := make([]int, 0, len(text))
	gsm := true
	for _, r := range text {
		w, ok := gsmWidth[r]
		if !ok {
			gsm = false
			break
		}
		widths = append(widths, w)
	}
	single, multi, enc := 160, 153, EncGSM7
	if !gsm {
		single, multi, enc = 70, 67, EncUCS2
		widths = widths[:0]
		for _, r := range text {
			widths = append(widths, utf16.RuneLen(r))
		}
	}
	total := 0
	for _, w := range widths {
		if w < 0 { // invalid rune: sent as U+FFFD, one code unit
			w = 1
		}
		total += w
	}
	info := SegmentInfo{Encoding: enc, Characters: total, Segments: 1}
	if total <= single {
		return info
	}
	used := 0
	for _, w := range widths {
		if w < 0 {
			w = 1
		}
		if used+w > multi {
			info.Segments++
			used = 0
		}
		used += w
	}
	return info
}

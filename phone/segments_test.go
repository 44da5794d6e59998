package phone

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	cases := []struct {
		name string
		text string
		want SegmentInfo
	}{
		{"empty", "", SegmentInfo{EncGSM7, 0, 0}},
		{"plain", "Hello, world!", SegmentInfo{EncGSM7, 1, 13}},
		{"gsm accents", "Où? Ñoño £5 @home Äß é", SegmentInfo{EncGSM7, 1, 22}},
		{"accent outside GSM", "Olá", SegmentInfo{EncUCS2, 1, 3}},
		{"extension chars count 2", "^{}\\[~]|€", SegmentInfo{EncGSM7, 1, 18}},
		{"euro price", "Only 5€", SegmentInfo{EncGSM7, 1, 8}},
		{"exactly 160 GSM", strings.Repeat("a", 160), SegmentInfo{EncGSM7, 1, 160}},
		{"161 GSM splits in 2", strings.Repeat("a", 161), SegmentInfo{EncGSM7, 2, 161}},
		{"306 GSM is 2 segments", strings.Repeat("a", 306), SegmentInfo{EncGSM7, 2, 306}},
		{"307 GSM is 3 segments", strings.Repeat("a", 307), SegmentInfo{EncGSM7, 3, 307}},
		{"159 + one extension = 161 septets", strings.Repeat("a", 159) + "€", SegmentInfo{EncGSM7, 2, 161}},
		{"80 extension chars = 160 septets", strings.Repeat("{", 80), SegmentInfo{EncGSM7, 1, 160}},
		// 152 'a' + '€' + 'a': the escape pair would straddle septets 153/154,
		// so it moves whole to segment 2.
		{"escape not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), SegmentInfo{EncGSM7, 2, 164}},
		// 306 septets would fit 2×153, but not with the pair kept whole.
		{"escape straddle adds a segment", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), SegmentInfo{EncGSM7, 3, 306}},
		{"one emoji", "😀", SegmentInfo{EncUCS2, 1, 2}},
		{"emoji in text", "Hi 😀", SegmentInfo{EncUCS2, 1, 5}},
		{"non-GSM letter", "Zoë Łódź", SegmentInfo{EncUCS2, 1, 8}},
		{"exactly 70 UCS-2", strings.Repeat("ж", 70), SegmentInfo{EncUCS2, 1, 70}},
		{"71 UCS-2 splits in 2", strings.Repeat("ж", 71), SegmentInfo{EncUCS2, 2, 71}},
		{"134 UCS-2 is 2", strings.Repeat("ж", 134), SegmentInfo{EncUCS2, 2, 134}},
		{"135 UCS-2 is 3", strings.Repeat("ж", 135), SegmentInfo{EncUCS2, 3, 135}},
		{"35 emoji = 70 units", strings.Repeat("😀", 35), SegmentInfo{EncUCS2, 1, 70}},
		// 134 units would fit 2×67, but not with the emoji's pair kept whole.
		{"surrogate pair not split", strings.Repeat("ж", 66) + "😀" + strings.Repeat("ж", 66), SegmentInfo{EncUCS2, 3, 134}},
		{"newline is GSM", "a\nb", SegmentInfo{EncGSM7, 1, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Segments(tc.text); got != tc.want {
				t.Errorf("Segments(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
		})
	}
}

func TestSegmentsTooLong(t *testing.T) {
	if Segments(strings.Repeat("a", 1530)).TooLong() {
		t.Errorf("1530 GSM chars = 10 segments, not too long")
	}
	if !Segments(strings.Repeat("a", 1531)).TooLong() {
		t.Errorf("1531 GSM chars = 11 segments, too long")
	}
}

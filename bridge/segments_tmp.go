package bridge

// defaultSegments is a stand-in until telnyx.Segments lands with the client.
func defaultSegments(text string) (int, string) {
	n, enc, single, multi := 0, "GSM-7", 160, 153
	for _, r := range text {
		n++
		if r > 0x7e || (r < 0x20 && r != '\n' && r != '\r') {
			enc, single, multi = "UCS-2", 70, 67
		}
	}
	if enc == "UCS-2" {
		n = len([]rune(text))
	}
	if n <= single {
		return 1, enc
	}
	return (n + multi - 1) / multi, enc
}

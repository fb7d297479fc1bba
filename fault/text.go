package fault

import "unicode/utf8"

// textProblem says what makes s unfit for an id or a text an operator
// reads, or "" if nothing does: invalid UTF-8 (which a decoder would
// silently replace, changing which entity an alarm is about), C0 and C1
// control characters, and the bidirectional overrides and isolates
// (U+202A-U+202E, U+2066-U+2069) that make a text display other than it
// reads.
func textProblem(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return "contains a control character"
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return "is not valid UTF-8"
		case r >= 0x80 && r <= 0x9f:
			return "contains a control character"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return "contains a bidirectional override"
		}
		i += n
	}
	return ""
}

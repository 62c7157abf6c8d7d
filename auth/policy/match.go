package policy

import (
	"strings"
	"unicode/utf8"
)

// glob reports whether v matches pattern p, in which '*' matches any run of
// characters (none included) and '?' exactly one character. With fold set,
// ASCII letters match regardless of case; p must then be lower-case.
//
// It is the classic greedy matcher that backtracks only to the last '*', so
// it runs in O(len(p)·len(v)) time and never allocates, whatever the input.
func glob(p, v string, fold bool) bool {
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				star, mark = pi, vi
				pi++
				continue
			case c == '?':
				pi++
				vi += runeLen(v[vi:])
				continue
			case c == v[vi], fold && c == lower(v[vi]):
				pi++
				vi++
				continue
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark += runeLen(v[mark:])
		vi = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// runeLen is the byte length of the first character of s (1 for a byte that
// is not valid UTF-8), so '?' matches a character, not a byte.
func runeLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// matchAction matches an action such as "execute-api:Invoke" against a
// lower-cased pattern; action names are case-insensitive in IAM.
func matchAction(p, action string) bool { return glob(p, action, true) }

// arnSegments is how many colon-separated segments precede the resource
// part of an ARN: arn:partition:service:region:account-id:resource.
const arnSegments = 5

// matchResource matches resource ARN v against pattern p as IAM documents
// it: wildcards work within each colon-separated segment, and a '*' that
// ends the pattern's last segment matches the rest of the ARN, colons
// included ("arn:aws:execute-api:*" matches every execute-api ARN).
//
// The resource part after the fifth colon is one segment: wildcards in it
// match colons too. API Gateway paths may contain colons ("/v1/a:b"), and
// a Deny on "api/*/GET/*/admin" must not be escaped by putting one in the
// path. Matching is case-sensitive.
func matchResource(p, v string) bool {
	if p == "*" {
		return true
	}
	for range arnSegments {
		pseg, prest, pmore := strings.Cut(p, ":")
		if !pmore && strings.HasSuffix(pseg, "*") {
			return glob(pseg, v, false)
		}
		vseg, vrest, vmore := strings.Cut(v, ":")
		if pmore != vmore || !glob(pseg, vseg, false) {
			return false
		}
		if !pmore {
			return true
		}
		p, v = prest, vrest
	}
	return glob(p, v, false)
}

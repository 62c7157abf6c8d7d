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
		if pi < len(p) && !fold && p[pi] != '*' && p[pi] != '?' {
			// Skip to where the literal after the star can start; a
			// pattern is valid UTF-8, so that is a character boundary.
			i := strings.IndexByte(v[mark:], p[pi])
			if i < 0 {
				return false
			}
			mark += i
		}
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
		return 1 // the common case, inlined
	}
	return multiByteRuneLen(s)
}

func multiByteRuneLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	return n
}

// hasPrefixFold is strings.HasPrefix with ASCII letters folded, as glob
// folds them; prefix is lower-case and s at least as long.
func hasPrefixFold(s, prefix string) bool {
	for i := range len(prefix) {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// pattern is a wildcard pattern compiled for the common shapes: "*",
// a literal, and a literal prefix before the first wildcard.
type pattern struct {
	prefix string // literal text before the first wildcard
	rest   string // from the first wildcard on; "" for a literal
	any    bool   // the pattern is "*"
	fold   bool   // match ASCII case-insensitively (prefix and rest are lower-case)
}

func compilePattern(s string, fold bool) pattern {
	if fold {
		s = strings.ToLower(s)
	}
	i := strings.IndexAny(s, "*?")
	if i < 0 {
		i = len(s)
	}
	return pattern{prefix: s[:i], rest: s[i:], any: s == "*", fold: fold}
}

func (p *pattern) match(v string) bool {
	switch {
	case p.any:
		return true
	case len(v) < len(p.prefix):
		return false
	case p.fold && !hasPrefixFold(v, p.prefix):
		return false
	case !p.fold && v[:len(p.prefix)] != p.prefix:
		return false
	case p.rest == "":
		return len(v) == len(p.prefix)
	case p.rest == "*":
		return true
	}
	return glob(p.rest, v[len(p.prefix):], p.fold)
}

// arnParts is how many parts an ARN has: arn:partition:service:region:
// account-id:resource, the last of which may itself contain colons.
const arnParts = 6

// arn is an ARN (or any string) split into its colon-separated parts.
type arn struct {
	s     string
	n     int           // number of parts, 1 to arnParts
	start [arnParts]int // where each part starts in s
	end   [arnParts]int // where each part ends
}

func splitARN(s string) arn {
	a := arn{s: s}
	pos := 0
	for a.n < arnParts-1 {
		i := strings.IndexByte(s[pos:], ':')
		if i < 0 {
			break
		}
		a.start[a.n], a.end[a.n] = pos, pos+i
		a.n++
		pos += i + 1
	}
	a.start[a.n], a.end[a.n] = pos, len(s)
	a.n++
	return a
}

func (a *arn) part(i int) string { return a.s[a.start[i]:a.end[i]] }

// arnPattern is a compiled Resource pattern. IAM documents ARN wildcards
// as working within each colon-separated part, except that a '*' ending
// the last part of the pattern matches the rest of the ARN, colons
// included ("arn:aws:execute-api:*" matches every execute-api ARN).
//
// The resource part after the fifth colon is one part: wildcards in it
// match colons too. API Gateway paths may contain colons ("/v1/a:b"), and
// a Deny on "api/*/GET/*/admin" must not be escaped by putting one in the
// path. Matching is case-sensitive.
type arnPattern struct {
	any   bool // "*"
	parts []pattern
	tail  bool // the last part ends with '*': it matches the rest of the ARN
}

func compileARNPattern(s string) arnPattern {
	if s == "*" {
		return arnPattern{any: true}
	}
	a := splitARN(s)
	p := arnPattern{parts: make([]pattern, a.n), tail: strings.HasSuffix(s, "*")}
	for i := range a.n {
		p.parts[i] = compilePattern(a.part(i), false)
	}
	return p
}

func (p *arnPattern) match(v *arn) bool {
	if p.any {
		return true
	}
	last := len(p.parts) - 1
	if v.n < len(p.parts) || v.n > len(p.parts) && !p.tail {
		return false
	}
	for i := range last {
		if !p.parts[i].match(v.part(i)) {
			return false
		}
	}
	return p.parts[last].match(v.s[v.start[last]:])
}

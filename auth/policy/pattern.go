package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// segKind is the kind of one piece of a compiled pattern.
type segKind uint8

const (
	segText segKind = iota // literal text
	segStar                // '*': any run of characters, none included
	segOne                 // '?': exactly one character
	segVar                 // a policy variable: its key's value, or its default
)

type seg struct {
	kind       segKind
	text       string // segText: the text; segVar: the default
	key        key    // segVar
	hasDefault bool
}

// value is the text a segText or segVar stands for in r.
func (s *seg) value(r *Request) string {
	if s.kind == segVar {
		if v, ok := s.key.str(r); ok {
			return v
		}
	}
	return s.text
}

// pattern is a compiled Action, Resource part or string condition value.
type pattern struct {
	segs    []seg
	any     bool // the pattern is "*"
	literal bool // the pattern is one segText, or empty
	fold    bool // ASCII letters match regardless of case; texts are lower-case
}

// compilePattern compiles s. With wild, '*' and '?' are wildcards; with
// vars, "${...}" is a policy variable; with fold, matching ignores the
// case of ASCII letters.
func compilePattern(s string, wild, vars, fold bool) (pattern, error) {
	if fold {
		s = strings.ToLower(s)
	}
	p := pattern{any: wild && s == "*", fold: fold}
	var text strings.Builder
	add := func(sg seg) {
		if text.Len() > 0 {
			p.segs = append(p.segs, seg{kind: segText, text: text.String()})
			text.Reset()
		}
		if sg.kind != segText {
			p.segs = append(p.segs, sg)
		}
	}
	for i := 0; i < len(s); {
		switch {
		case wild && s[i] == '*':
			add(seg{kind: segStar})
			i++
		case wild && s[i] == '?':
			add(seg{kind: segOne})
			i++
		case vars && strings.HasPrefix(s[i:], "${"):
			sg, n, err := parseVariable(s[i:])
			if err != nil {
				return pattern{}, err
			}
			if sg.kind == segVar {
				add(sg)
			} else {
				text.WriteString(sg.text) // a literal ${*}, ${?} or ${$}
			}
			i += n
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	add(seg{})
	p.literal = len(p.segs) == 0 || len(p.segs) == 1 && p.segs[0].kind == segText
	return p, nil
}

// parseVariable parses the policy variable at the start of s: ${key},
// ${key, 'default'} (a quote doubled inside the default), or one of the
// literal characters ${*}, ${?} and ${$}. It returns the segment and its
// length in s.
func parseVariable(s string) (seg, int, error) {
	body := s[2:]
	if len(body) >= 2 && strings.IndexByte("*?$", body[0]) >= 0 && body[1] == '}' {
		return seg{kind: segText, text: body[:1]}, 4, nil
	}
	end := strings.IndexAny(body, ",}")
	if end < 0 {
		return seg{}, 0, fmt.Errorf("unterminated policy variable in %q", s)
	}
	name := strings.TrimSpace(body[:end])
	k, ok := parseKey(name)
	if !ok || !k.isString() {
		return seg{}, 0, fmt.Errorf("unknown or unsupported policy variable %q", name)
	}
	sg := seg{kind: segVar, key: k}
	if body[end] == '}' {
		return sg, 2 + end + 1, nil
	}
	def, n, err := parseDefault(body[end+1:])
	if err != nil {
		return seg{}, 0, fmt.Errorf("policy variable %q: %w", name, err)
	}
	sg.text, sg.hasDefault = def, true
	return sg, 2 + end + 1 + n, nil
}

// parseDefault parses " 'text' }" and returns the text and the length.
func parseDefault(s string) (string, int, error) {
	i := len(s) - len(strings.TrimLeft(s, " "))
	if i == len(s) || s[i] != '\'' {
		return "", 0, errors.New("the default must be in single quotes")
	}
	var b strings.Builder
	for i++; ; i++ {
		j := strings.IndexByte(s[i:], '\'')
		if j < 0 {
			return "", 0, errors.New("unterminated default")
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if i == len(s) || s[i] != '\'' {
			break
		}
		b.WriteByte('\'') // '' is a quote
	}
	i += len(s[i:]) - len(strings.TrimLeft(s[i:], " "))
	if i == len(s) || s[i] != '}' {
		return "", 0, errors.New("missing } after the default")
	}
	return b.String(), i + 1, nil
}

// unresolved appends the keys of the variables in p that have no default.
func (p *pattern) unresolved(keys []key) []key {
	for _, sg := range p.segs {
		if sg.kind == segVar && !sg.hasDefault {
			keys = append(keys, sg.key)
		}
	}
	return keys
}

// match reports whether v matches p, variables taking their values from r.
func (p *pattern) match(v string, r *Request) bool {
	switch {
	case p.any:
		return true
	case p.literal && len(p.segs) == 0:
		return v == ""
	case p.literal && !p.fold:
		return v == p.segs[0].text
	case p.literal:
		return len(v) == len(p.segs[0].text) && hasPrefixFold(v, p.segs[0].text)
	}
	return p.glob(v, r)
}

// glob is the classic greedy wildcard matcher, over segments: it
// backtracks only to the last '*', so it runs in O(len(p)·len(v)) time
// and never allocates, whatever the input.
func (p *pattern) glob(v string, r *Request) bool {
	si, vi := 0, 0
	star, mark := -1, 0
	for {
		if si < len(p.segs) {
			if n := p.step(&p.segs[si], v[vi:], r); n >= 0 {
				if p.segs[si].kind == segStar {
					star, mark = si, vi
				}
				si, vi = si+1, vi+n
				continue
			}
		} else if vi == len(v) {
			return true
		}
		if star < 0 || mark == len(v) {
			return false
		}
		mark += runeLen(v[mark:])
		if mark = p.skip(star+1, v, mark, r); mark < 0 {
			return false
		}
		si, vi = star+1, mark
	}
}

// step matches segment sg at the start of v, returning how much of v it
// took or -1. A star takes nothing at first; glob extends it.
func (p *pattern) step(sg *seg, v string, r *Request) int {
	switch sg.kind {
	case segStar:
		return 0
	case segOne:
		if v == "" {
			return -1
		}
		return runeLen(v)
	}
	t := sg.value(r)
	if len(v) < len(t) || (p.fold && !hasPrefixFold(v, t)) || (!p.fold && v[:len(t)] != t) {
		return -1
	}
	return len(t)
}

// skip moves mark to where the text after a star can next match in v, or
// returns -1 when it cannot.
func (p *pattern) skip(si int, v string, mark int, r *Request) int {
	if p.fold || si == len(p.segs) || p.segs[si].kind == segStar || p.segs[si].kind == segOne {
		return mark
	}
	i := strings.Index(v[mark:], p.segs[si].value(r))
	if i < 0 {
		return -1
	}
	return mark + i
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

// hasPrefixFold is strings.HasPrefix with ASCII letters folded; prefix is
// lower-case and s at least as long.
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

package policy

import (
	"fmt"
	"strings"
)

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
	any    bool // "*"
	parts  []pattern
	tail   bool        // the last part ends with '*': it matches the rest of the ARN
	checks []partCheck // what to match before the last part
}

// partCheck matches parts from to to (inclusive) of an ARN as one string,
// colons included. Parts that are "*" need no check, and runs of literal
// parts are compared at once: "arn:aws:execute-api" in one comparison.
type partCheck struct {
	from, to int
	p        pattern
}

// compileARNPattern compiles a Resource pattern; with vars, its resource
// part may hold policy variables.
func compileARNPattern(s string, vars bool) (arnPattern, error) {
	if s == "*" {
		return arnPattern{any: true}, nil
	}
	a := splitARN(s)
	p := arnPattern{parts: make([]pattern, a.n), tail: strings.HasSuffix(s, "*")}
	for i := range a.n {
		part := a.part(i)
		resource := i == arnParts-1
		if vars && !resource && strings.Contains(part, "${") {
			return arnPattern{}, fmt.Errorf("%q: policy variables are supported only in the resource part of an ARN", s)
		}
		var err error
		if p.parts[i], err = compilePattern(part, true, vars && resource, false); err != nil {
			return arnPattern{}, err
		}
	}
	p.checks = planChecks(&a, p.parts)
	return p, nil
}

// planChecks plans the matching of all parts but the last of pattern a.
func planChecks(a *arn, parts []pattern) []partCheck {
	var cs []partCheck
	for i := 0; i < len(parts)-1; i++ {
		switch {
		case parts[i].any:
		case parts[i].literal:
			j := i
			for j+1 < len(parts)-1 && parts[j+1].literal {
				j++
			}
			lit, _ := compilePattern(a.s[a.start[i]:a.end[j]], false, false, false) // no error without variables
			cs = append(cs, partCheck{from: i, to: j, p: lit})
			i = j
		default:
			cs = append(cs, partCheck{from: i, to: i, p: parts[i]})
		}
	}
	return cs
}

func (p *arnPattern) match(v *arn, r *Request) bool {
	if p.any {
		return true
	}
	last := len(p.parts) - 1
	if v.n < len(p.parts) || v.n > len(p.parts) && !p.tail {
		return false
	}
	for i := range p.checks {
		c := &p.checks[i]
		if !c.p.match(v.s[v.start[c.from]:v.end[c.to]], r) {
			return false
		}
	}
	return p.parts[last].match(v.s[v.start[last]:], r)
}

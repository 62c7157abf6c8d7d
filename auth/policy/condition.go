package policy

import (
	"net/netip"
	"strings"
	"time"
)

// opKind is a condition operator without its negation and IfExists.
type opKind uint8

const (
	opStringEquals opKind = iota + 1
	opStringEqualsFold
	opStringLike
	opIPAddress
	opDateEquals
	opDateLess
	opDateLessEq
	opDateGreater
	opDateGreaterEq
	opNull
)

type opSpec struct {
	kind    opKind
	negated bool
}

// operators maps lower-cased operator names to their meaning.
var operators = map[string]opSpec{
	"stringequals":              {opStringEquals, false},
	"stringnotequals":           {opStringEquals, true},
	"stringequalsignorecase":    {opStringEqualsFold, false},
	"stringnotequalsignorecase": {opStringEqualsFold, true},
	"stringlike":                {opStringLike, false},
	"stringnotlike":             {opStringLike, true},
	"ipaddress":                 {opIPAddress, false},
	"notipaddress":              {opIPAddress, true},
	"dateequals":                {opDateEquals, false},
	"datenotequals":             {opDateEquals, true},
	"datelessthan":              {opDateLess, false},
	"datelessthanequals":        {opDateLessEq, false},
	"dategreaterthan":           {opDateGreater, false},
	"dategreaterthanequals":     {opDateGreaterEq, false},
	"null":                      {opNull, false},
}

func (k opKind) isString() bool { return k <= opStringLike }
func (k opKind) isDate() bool   { return k >= opDateEquals && k <= opDateGreaterEq }

// condition is one key of one operator block, with its values parsed into
// the form the operator compares.
type condition struct {
	op       opKind
	negated  bool
	ifExists bool
	key      key
	strs     []string  // IgnoreCase operators; "true"/"false" for Null
	pats     []pattern // other string operators
	prefixes []netip.Prefix
	times    []time.Time
}

// eval reports whether the condition holds for r. A key absent from the
// request fails the condition, except that a negated operator or an
// IfExists one then holds, and Null tests exactly that absence.
func (c *condition) eval(r *Request) bool {
	present := c.key.present(r)
	if c.op == opNull {
		for _, s := range c.strs {
			if (s == "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		return c.negated || c.ifExists
	}
	// Several values are ORed; for a negated operator that makes NOR.
	return c.anyValue(r) != c.negated
}

func (c *condition) anyValue(r *Request) bool {
	switch {
	case c.op == opIPAddress:
		ip := r.SourceIP.Unmap().WithZone("") // a zoned address matches no prefix
		for _, p := range c.prefixes {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	case c.op.isDate():
		for _, t := range c.times {
			if compareTime(c.op, r.CurrentTime, t) {
				return true
			}
		}
		return false
	}
	v, _ := c.key.str(r)
	for i := range c.pats {
		if c.pats[i].match(v, r) {
			return true
		}
	}
	for _, s := range c.strs {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func compareTime(op opKind, v, t time.Time) bool {
	switch op {
	case opDateEquals:
		return v.Equal(t)
	case opDateLess:
		return v.Before(t)
	case opDateLessEq:
		return !v.After(t)
	case opDateGreater:
		return v.After(t)
	}
	return !v.Before(t) // opDateGreaterEq
}

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

// opSpec is a parsed operator name.
type opSpec struct {
	op       opKind
	negated  bool
	ifExists bool
	set      setKind
}

// setKind is the set qualifier of an operator on a multi-valued key.
type setKind uint8

const (
	setNone setKind = iota
	setAny          // ForAnyValue: some value of the key satisfies the operator
	setAll          // ForAllValues: every value does (vacuously true when none)
)

// operators maps lower-cased operator names to their meaning.
var operators = map[string]opSpec{
	"stringequals":              {op: opStringEquals},
	"stringnotequals":           {op: opStringEquals, negated: true},
	"stringequalsignorecase":    {op: opStringEqualsFold},
	"stringnotequalsignorecase": {op: opStringEqualsFold, negated: true},
	"stringlike":                {op: opStringLike},
	"stringnotlike":             {op: opStringLike, negated: true},
	"ipaddress":                 {op: opIPAddress},
	"notipaddress":              {op: opIPAddress, negated: true},
	"dateequals":                {op: opDateEquals},
	"datenotequals":             {op: opDateEquals, negated: true},
	"datelessthan":              {op: opDateLess},
	"datelessthanequals":        {op: opDateLessEq},
	"dategreaterthan":           {op: opDateGreater},
	"dategreaterthanequals":     {op: opDateGreaterEq},
	"null":                      {op: opNull},
}

func (k opKind) isString() bool { return k <= opStringLike }
func (k opKind) isDate() bool   { return k >= opDateEquals && k <= opDateGreaterEq }

// condition is one key of one operator block, with its values parsed into
// the form the operator compares.
type condition struct {
	opSpec
	key      key
	strs     []string  // IgnoreCase operators; "true"/"false" for Null
	pats     []pattern // other string operators
	prefixes []netip.Prefix
	times    []time.Time
}

// eval reports whether the condition holds for r. A key absent from the
// request fails the condition, except that a negated operator or an
// IfExists one then holds, and Null tests exactly that absence. Set
// operators are decided by eachValue.
func (c *condition) eval(r *Request) bool {
	if c.set != setNone {
		return c.eachValue(r)
	}
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
	return c.matchString(v, r)
}

// matchString reports whether v matches any of the string values.
func (c *condition) matchString(v string, r *Request) bool {
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

// eachValue evaluates a set operator over the values of tollgate:scope:
// each value satisfies the operator when it matches one of the condition's
// values (a negated operator: none of them).
func (c *condition) eachValue(r *Request) bool {
	var scopes []string
	if r.Identity != nil {
		scopes = r.Identity.Scopes
	}
	for _, v := range scopes {
		ok := c.matchString(v, r) != c.negated
		if ok == (c.set == setAny) {
			return ok
		}
	}
	return c.set == setAll
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

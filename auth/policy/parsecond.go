package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// parseConditions parses a Condition element: operator → key → values.
func parseConditions(m map[string]map[string]json.RawMessage, path string, vars bool) ([]condition, error) {
	var conds []condition
	for _, opName := range sortedKeys(m) {
		spec, ok := parseOperator(opName)
		if !ok {
			return nil, parseErr(path, "unknown or unsupported condition operator %q", opName)
		}
		block := m[opName]
		if len(block) == 0 {
			return nil, parseErr(path+"."+opName, "names no condition key")
		}
		for _, keyName := range sortedKeys(block) {
			kpath := fmt.Sprintf("%s.%s[%q]", path, opName, keyName)
			k, ok := parseKey(keyName)
			if !ok {
				return nil, parseErr(kpath, "unknown condition key")
			}
			vals, err := condValues(block[keyName])
			if err != nil {
				return nil, parseErr(kpath, "%v", err)
			}
			c, err := newCondition(spec, k, vals, vars)
			if err != nil {
				return nil, parseErr(kpath, "%v", err)
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

// parseOperator resolves an operator name (case-insensitive): an
// optional set qualifier (ForAnyValue: or ForAllValues:, for string
// operators), the operator, and an optional IfExists suffix (not with a
// qualifier, nor on Null).
func parseOperator(name string) (opSpec, bool) {
	lname := strings.ToLower(name)
	var set setKind
	if q, rest, ok := strings.Cut(lname, ":"); ok {
		set, lname = qualifiers[q], rest
		if set == setNone {
			return opSpec{}, false
		}
	}
	base, ifExists := strings.CutSuffix(lname, "ifexists")
	op, ok := operators[base]
	switch {
	case !ok, ifExists && (op.op == opNull || set != setNone), set != setNone && !op.op.isString():
		return opSpec{}, false
	}
	op.ifExists, op.set = ifExists, set
	return op, true
}

var qualifiers = map[string]setKind{"foranyvalue": setAny, "forallvalues": setAll}

// condValues parses a condition value: a string, number or boolean, or a
// non-empty array of them, each taken as its literal text.
func condValues(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	if len(list) == 0 {
		return nil, errors.New("has no values")
	}
	out := make([]string, len(list))
	for i, e := range list {
		switch e := e.(type) {
		case string:
			out[i] = e
		case json.Number:
			out[i] = e.String()
		case bool:
			out[i] = strconv.FormatBool(e)
		default:
			return nil, errors.New("values must be strings, numbers or booleans")
		}
	}
	return out, nil
}

// newCondition checks that the operator can test the key and parses the
// values into the form the operator compares.
func newCondition(spec opSpec, k key, vals []string, vars bool) (condition, error) {
	c := condition{opSpec: spec, key: k}
	var err error
	switch {
	case c.set != setNone && k.kind != keyScope:
		err = errors.New("ForAnyValue: and ForAllValues: apply only to the multi-valued key tollgate:scope")
	case c.set == setNone && k.kind == keyScope && c.op != opNull:
		err = errors.New("tollgate:scope has several values: use ForAnyValue: or ForAllValues:")
	case c.op == opNull:
		c.strs, err = nullValues(vals)
	case c.op == opStringEqualsFold && (k.isString() || k.kind == keyScope):
		c.strs, err = vals, noVariables(vals, vars)
	case c.op.isString() && (k.isString() || k.kind == keyScope):
		wild := c.op == opStringLike
		c.pats, err = parseEach(vals, func(v string) (pattern, error) { return compilePattern(v, wild, vars, false) })
	case c.op == opIPAddress && k.kind == keySourceIP:
		c.prefixes, err = parseEach(vals, parsePrefix)
	case c.op.isDate() && k.kind == keyCurrentTime:
		c.times, err = parseEach(vals, parseDate)
	default:
		err = errors.New("the operator cannot test this key")
	}
	return c, err
}

// noVariables refuses policy variables where they are not supported.
func noVariables(vals []string, vars bool) error {
	for _, v := range vals {
		if vars && strings.Contains(v, "${") {
			return fmt.Errorf("%q: policy variables are not supported with IgnoreCase operators", v)
		}
	}
	return nil
}

func nullValues(vals []string) ([]string, error) {
	for _, v := range vals {
		if v != "true" && v != "false" {
			return nil, fmt.Errorf("Null takes true or false, not %q", v)
		}
	}
	return vals, nil
}

func parseEach[T any](vals []string, parse func(string) (T, error)) ([]T, error) {
	out := make([]T, len(vals))
	for i, v := range vals {
		var err error
		if out[i], err = parse(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parsePrefix parses a CIDR block or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block", s)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// dateLayouts are the ISO 8601 forms a date condition value may take,
// besides seconds since the Unix epoch.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"}

func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date or epoch seconds", s)
}

// checkDuplicateKeys refuses a document in which an object repeats a key,
// comparing case-insensitively as encoding/json matches fields: a repeated
// "Effect" or condition key would otherwise silently keep only the last.
func checkDuplicateKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var stack []map[string]bool // nil entries are arrays
	expectKey := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return parseErr("", "%v", err)
		}
		if s, ok := tok.(string); ok && expectKey {
			top := stack[len(stack)-1]
			lk := strings.ToLower(s)
			if top[lk] {
				return parseErr("", "duplicate key %q", s)
			}
			top[lk] = true
			expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, map[string]bool{})
			expectKey = true
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: in an object, a key comes next.
		expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
	}
}

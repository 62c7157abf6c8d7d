package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrInvalidPolicy is matched by every error [Parse] returns.
var ErrInvalidPolicy = errors.New("policy: invalid policy document")

// MaxDocumentSize is the largest policy document [Parse] accepts, in bytes.
// IAM's own limit for a managed policy is 6,144 characters.
const MaxDocumentSize = 128 << 10

// The policy language versions. Only Version2012 has policy variables:
// in a 2008-10-17 document (the default) "${" is plain text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// ParseError describes why a policy document was refused. It matches
// [ErrInvalidPolicy].
type ParseError struct {
	// Path locates the offending element, e.g. "Statement[1].Condition".
	Path string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns the path and the reason.
func (e *ParseError) Error() string {
	if e.Path == "" {
		return "policy: " + e.Reason
	}
	return "policy: " + e.Path + ": " + e.Reason
}

// Unwrap returns [ErrInvalidPolicy].
func (e *ParseError) Unwrap() error { return ErrInvalidPolicy }

func parseErr(path, format string, args ...any) error {
	return &ParseError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

type document struct {
	Version   string
	ID        string `json:"Id"`
	Statement json.RawMessage
}

type rawStatement struct {
	Sid          string
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       json.RawMessage
	NotAction    json.RawMessage
	Resource     json.RawMessage
	NotResource  json.RawMessage
	Condition    map[string]map[string]json.RawMessage
}

// Parse parses and validates an IAM-style policy document once, so that
// evaluating it is cheap. It refuses, rather than ignores, whatever it
// cannot enforce exactly: unknown elements, condition operators or keys,
// Principal (policies here are identity-based), policy variables,
// duplicate keys, and values of the wrong form. Errors match
// [ErrInvalidPolicy].
func Parse(doc []byte) (*Policy, error) {
	if len(doc) > MaxDocumentSize {
		return nil, parseErr("", "document larger than %d bytes", MaxDocumentSize)
	}
	if err := checkDuplicateKeys(doc); err != nil {
		return nil, err
	}
	var d document
	if err := decodeStrict(doc, &d); err != nil {
		return nil, parseErr("", "%v", err)
	}
	if d.Version != "" && d.Version != Version2012 && d.Version != Version2008 {
		return nil, parseErr("Version", "unknown version %q", d.Version)
	}
	raws, err := statements(d.Statement)
	if err != nil {
		return nil, err
	}
	p := &Policy{id: d.ID, doc: bytes.Clone(doc)}
	for i, raw := range raws {
		s, err := parseStatement(raw, fmt.Sprintf("Statement[%d]", i), d.Version == Version2012)
		if err != nil {
			return nil, err
		}
		if s.deny {
			p.deny = append(p.deny, s)
		} else {
			p.allow = append(p.allow, s)
		}
	}
	return p, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the document")
	}
	return nil
}

// statements splits the Statement element, a single object or an array.
func statements(raw json.RawMessage) ([]json.RawMessage, error) {
	switch firstByte(raw) {
	case '{':
		return []json.RawMessage{raw}, nil
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, parseErr("Statement", "%v", err)
		}
		return list, nil
	}
	return nil, parseErr("Statement", "must be an object or an array of objects")
}

func firstByte(raw json.RawMessage) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func parseStatement(raw json.RawMessage, path string, vars bool) (statement, error) {
	var rs rawStatement
	if firstByte(raw) != '{' {
		return statement{}, parseErr(path, "must be an object")
	}
	if err := decodeStrict(raw, &rs); err != nil {
		return statement{}, parseErr(path, "%v", err)
	}
	if rs.Effect != "Allow" && rs.Effect != "Deny" {
		return statement{}, parseErr(path+".Effect", `must be "Allow" or "Deny", not %q`, rs.Effect)
	}
	if rs.Principal != nil || rs.NotPrincipal != nil {
		return statement{}, parseErr(path, "Principal is not supported: policies here are identity-based")
	}
	s := statement{sid: rs.Sid, deny: rs.Effect == "Deny"}
	action := func(a string) error {
		p, err := checkAction(a)
		s.actions = append(s.actions, p)
		return err
	}
	resource := func(r string) error {
		p, err := checkResource(r, vars)
		s.resources = append(s.resources, p)
		return err
	}
	var err error
	if s.notAction, err = either(rs.Action, rs.NotAction, path, "Action", action); err != nil {
		return statement{}, err
	}
	if s.notResource, err = either(rs.Resource, rs.NotResource, path, "Resource", resource); err != nil {
		return statement{}, err
	}
	if s.conds, err = parseConditions(rs.Condition, path+".Condition", vars); err != nil {
		return statement{}, err
	}
	s.needs = unresolved(&s)
	return s, nil
}

// unresolved lists the keys of the statement's variables without default.
func unresolved(s *statement) []key {
	var keys []key
	for i := range s.resources {
		for j := range s.resources[i].parts {
			keys = s.resources[i].parts[j].unresolved(keys)
		}
	}
	for i := range s.conds {
		for j := range s.conds[i].pats {
			keys = s.conds[i].pats[j].unresolved(keys)
		}
	}
	return keys
}

// either parses exactly one of an element and its Not form, handing each
// string in it to add, and reports whether it was the Not form.
func either(pos, neg json.RawMessage, path, name string, add func(string) error) (bool, error) {
	not := neg != nil
	raw := pos
	switch {
	case pos != nil && not:
		return false, parseErr(path, "has both %s and Not%s", name, name)
	case not:
		raw, name = neg, "Not"+name
	case pos == nil:
		return false, parseErr(path, "has neither %s nor Not%s", name, name)
	}
	path += "." + name
	list, err := stringList(raw, path)
	if err != nil {
		return false, err
	}
	for _, s := range list {
		if err := add(s); err != nil {
			return false, parseErr(path, "%v", err)
		}
	}
	return not, nil
}

// stringList parses a string or a non-empty array of strings.
func stringList(raw json.RawMessage, path string) ([]string, error) {
	var list []string
	switch firstByte(raw) {
	case '"':
		list = []string{""}
		if err := json.Unmarshal(raw, &list[0]); err != nil {
			return nil, parseErr(path, "%v", err)
		}
	case '[':
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, parseErr(path, "must be a string or an array of strings")
		}
	}
	if len(list) == 0 {
		return nil, parseErr(path, "must be a string or a non-empty array of strings")
	}
	return list, nil
}

func checkAction(s string) (pattern, error) {
	if s != "*" {
		service, name, ok := strings.Cut(s, ":")
		if !ok || service == "" || name == "" {
			return pattern{}, fmt.Errorf(`action %q is not "*" or "service:action"`, s)
		}
	}
	return compilePattern(s, true, false, true)
}

func checkResource(s string, vars bool) (arnPattern, error) {
	if s != "*" && !strings.HasPrefix(s, "arn:") {
		return arnPattern{}, fmt.Errorf(`resource %q is not "*" or an ARN`, s)
	}
	return compileARNPattern(s, vars)
}

// sortedKeys returns m's keys in order, so errors are deterministic.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

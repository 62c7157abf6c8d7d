package policy

import "slices"

// Policy is a parsed IAM-style policy document, ready to evaluate. Create
// one with [Parse]. A Policy is immutable and safe for concurrent use.
type Policy struct {
	id    string
	deny  []statement // evaluated first: an explicit deny wins
	allow []statement
	doc   []byte
}

// statement is one parsed Statement.
type statement struct {
	sid         string
	deny        bool
	notAction   bool
	actions     []pattern // case-insensitive
	notResource bool
	resources   []arnPattern
	conds       []condition
	needs       []key // keys of the policy variables without a default
}

// applies reports whether the statement matches r, whose resource is res:
// its action and resource lists match (or, for NotAction and NotResource,
// do not) and every condition holds.
//
// A statement whose action matches but that uses a policy variable the
// request has no value for is invalid: a Deny applies, failing closed,
// and an Allow does not.
func (s *statement) applies(r *Request, res *arn) bool {
	if s.matchAction(r) == s.notAction {
		return false
	}
	for _, k := range s.needs {
		if !k.present(r) {
			return s.deny
		}
	}
	if s.matchResource(r, res) == s.notResource {
		return false
	}
	for i := range s.conds {
		if !s.conds[i].eval(r) {
			return false
		}
	}
	return true
}

func (s *statement) matchAction(r *Request) bool {
	for i := range s.actions {
		if s.actions[i].match(r.Action, r) {
			return true
		}
	}
	return false
}

func (s *statement) matchResource(r *Request, res *arn) bool {
	for i := range s.resources {
		if s.resources[i].match(res, r) {
			return true
		}
	}
	return false
}

// ID returns the document's Id element, or "".
func (p *Policy) ID() string { return p.id }

// MarshalJSON returns the document the policy was parsed from, so stores
// can persist a Policy and [Parse] it back.
func (p *Policy) MarshalJSON() ([]byte, error) { return slices.Clone(p.doc), nil }

// String returns the policy document.
func (p *Policy) String() string { return string(p.doc) }

// Decision is the outcome of evaluating policies.
type Decision uint8

// The three outcomes IAM distinguishes. Only Allow lets a request through.
const (
	// ImplicitDeny: no statement allows the request (the default).
	ImplicitDeny Decision = iota
	// Allow: a statement allows the request and none denies it.
	Allow
	// ExplicitDeny: a Deny statement matches; no Allow can override it.
	ExplicitDeny
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Result is a decision and the statement that made it (none for
// [ImplicitDeny]).
type Result struct {
	// Decision is the outcome; the zero value is ImplicitDeny.
	Decision Decision
	// PolicyID is the Id element of the deciding policy's document.
	PolicyID string
	// Sid is the Sid element of the deciding statement.
	Sid string
}

// Allowed reports whether the decision is [Allow].
func (r Result) Allowed() bool { return r.Decision == Allow }

// Evaluate decides r against policies as IAM evaluates identity-based
// policies: a matching Deny statement in any of them wins, otherwise a
// matching Allow statement allows, otherwise the request is implicitly
// denied. Nil policies are skipped. Evaluate does not allocate.
func Evaluate(r *Request, policies ...*Policy) Result {
	return evaluate(r, policies, nil)
}

// evaluate is Evaluate over two lists, as if they were one.
func evaluate(r *Request, a, b []*Policy) Result {
	res := splitARN(r.Resource)
	if d, ok := first(r, &res, a, b, true); ok {
		return d
	}
	if d, ok := first(r, &res, a, b, false); ok {
		return d
	}
	return Result{}
}

// first returns the first deny (or allow) statement in a and b that
// applies to r, whose resource is res.
func first(r *Request, res *arn, a, b []*Policy, deny bool) (Result, bool) {
	for _, list := range [2][]*Policy{a, b} {
		for _, p := range list {
			if p == nil {
				continue
			}
			stmts, d := p.allow, Allow
			if deny {
				stmts, d = p.deny, ExplicitDeny
			}
			for i := range stmts {
				if stmts[i].applies(r, res) {
					return Result{Decision: d, PolicyID: p.id, Sid: stmts[i].sid}, true
				}
			}
		}
	}
	return Result{}, false
}

package ratelimit

import (
	"fmt"
	"net/http"
	"strings"
)

// routes maps route patterns to policies without allocating per lookup.
type routes struct {
	byPattern map[string]*Policy
	byPath    map[string]*methodPolicies // literal patterns only
}

type methodPolicies struct {
	any      *Policy
	byMethod map[string]*Policy
}

func (rs *routes) add(pattern string, p *Policy) error {
	if rs.byPattern == nil {
		rs.byPattern, rs.byPath = map[string]*Policy{}, map[string]*methodPolicies{}
	}
	if _, dup := rs.byPattern[pattern]; dup {
		return fmt.Errorf("%w: route %q given twice", ErrInvalidLimit, pattern)
	}
	rs.byPattern[pattern] = p
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	}
	path = strings.TrimLeft(path, " \t")
	if strings.ContainsAny(path, "{") || !strings.HasPrefix(path, "/") {
		return nil // wildcards and hosts only match through r.Pattern
	}
	mp := rs.byPath[path]
	if mp == nil {
		mp = &methodPolicies{byMethod: map[string]*Policy{}}
		rs.byPath[path] = mp
	}
	if method == "" {
		mp.any = p
	} else {
		mp.byMethod[method] = p
	}
	return nil
}

// lookup returns the policy for r's route, or nil.
func (rs *routes) lookup(r *http.Request) *Policy {
	if rs.byPattern == nil {
		return nil
	}
	if r.Pattern != "" {
		return rs.byPattern[r.Pattern]
	}
	mp := rs.byPath[r.URL.Path]
	if mp == nil {
		return nil
	}
	if p := mp.byMethod[r.Method]; p != nil {
		return p
	}
	return mp.any
}

package ratelimit

import (
	"fmt"
	"strconv"

	"github.com/tollgate/tollgate/internal/rlheader"
)

// Policy is a named set of limits that apply together: a request passes
// only if every limit admits it. Build one with [NewPolicy] once (per
// route, per usage plan) and reuse it: its header values are formatted
// in advance so that requests do not pay for them. A Policy is immutable
// and safe for concurrent use.
type Policy struct {
	name     string
	limits   []Limit
	local    []Counter // counted per key
	global   []Counter // counted for all callers together
	capacity int64     // the smallest capacity: the largest cost admissible
	direct   bool      // no global limits and few enough for one direct take
	header   []string  // RateLimit-Policy value, shared read-only
}

// NewPolicy returns a policy of limits. Policies count apart: the same
// limit in two policies keeps two counters per key, unless the limit is
// Global, in which case every policy holding a Global limit of that name
// shares one counter. name is typically a route pattern or a plan; it may
// be empty. Limits without a name get one from their period; names must
// be unique within the policy.
func NewPolicy(name string, limits ...Limit) (*Policy, error) {
	if len(limits) == 0 {
		return nil, fmt.Errorf("%w: policy %q has no limits", ErrInvalidLimit, name)
	}
	p := &Policy{name: name, limits: make([]Limit, len(limits)), capacity: maxQuota}
	seen := make(map[string]bool, len(limits))
	hps := make([]rlheader.Policy, len(limits))
	for i, l := range limits {
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("policy %q: %w", name, err)
		}
		l.Name = l.name()
		if seen[l.Name] {
			return nil, fmt.Errorf("%w: policy %q names two limits %q", ErrInvalidLimit, name, l.Name)
		}
		seen[l.Name] = true
		p.limits[i], hps[i] = l, l.headerPolicy()
		p.capacity = min(p.capacity, l.capacity())
		if c := (Counter{Bucket: bucketName(name, l), Limit: l, interval: l.interval()}); l.Global {
			p.global = append(p.global, c)
		} else {
			p.local = append(p.local, c)
		}
	}
	p.header = []string{rlheader.FormatPolicies(hps...)}
	p.direct = len(p.global) == 0 && len(p.local) <= maxInline
	return p, nil
}

// Name returns the policy's name.
func (p *Policy) Name() string { return p.name }

// Limits returns a copy of the policy's limits, each with its Name set.
func (p *Policy) Limits() []Limit { return append([]Limit(nil), p.limits...) }

// HeaderValue returns the policy's RateLimit-Policy field value, e.g.
// `second;q=20;w=2, hour;q=1000;w=3600`. A caller merging several
// policies into one field joins values with ", ".
func (p *Policy) HeaderValue() string { return p.header[0] }

// bucketName names a limit's counters in a store: the policy's name,
// length-prefixed so that no two policy and limit names run together, or
// "*" for a Global limit, then the limit's name. It is printable, for
// stores that put it in a SQL text column or a Redis key.
func bucketName(policy string, l Limit) string {
	if l.Global {
		return "*/" + l.Name
	}
	return strconv.Itoa(len(policy)) + ":" + policy + "/" + l.Name
}

// costTooHigh reports the limit that can never admit cost.
func (p *Policy) costTooHigh(cost int64) error {
	for _, l := range p.limits {
		if cost > l.capacity() {
			return fmt.Errorf("%w: %d > %d for limit %q", ErrCostTooHigh, cost, l.capacity(), l.Name)
		}
	}
	return ErrCostTooHigh
}

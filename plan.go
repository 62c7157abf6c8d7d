package tollgate

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
)

// Plan is a usage plan, as in Amazon API Gateway: the throttle and quota
// that apply to every caller on it, per-route throttle overrides, and the
// routes it may call.
type Plan struct {
	// Name identifies the plan; identities name it in [auth.Identity.Plan].
	Name string
	// Throttle limits each caller's request rate. Several limits apply
	// together (10/s burst 20 and 1000/h); none means no throttling.
	Throttle []ratelimit.Limit
	// RouteThrottles replace Throttle on some routes, keyed by
	// http.ServeMux pattern ("POST /v1/orders"), like API Gateway's
	// method-level throttling.
	RouteThrottles map[string][]ratelimit.Limit
	// Quota caps each caller's usage per period; a zero Limit means none.
	// An empty Quota.Name is set to the plan's name, so plans never share
	// counters.
	Quota quota.Quota
	// Routes, if not empty, are the http.ServeMux patterns ("/v1/",
	// "GET /v1/items/{id}") the plan may call; other requests get 403.
	Routes []string
}

// compiledPlan is a validated Plan with its route matcher.
type compiledPlan struct {
	Plan
	routes *http.ServeMux // nil: every route allowed
	// first is the runtime of the first Gate that used this plan version,
	// found without a lookup in that Gate's map of runtimes.
	first atomic.Pointer[gateRuntime]
}

// gateRuntime is a Gate's runtime for one plan version.
type gateRuntime struct {
	gate *Gate
	rt   *planRuntime
}

func (p *compiledPlan) allows(r *http.Request) bool {
	if p.routes == nil {
		return true
	}
	_, pattern := p.routes.Handler(r)
	return pattern != ""
}

// Plans is a registry of usage plans. Plans can be added, replaced and
// removed while serving; a change applies to the next request. It is safe
// for concurrent use.
type Plans struct {
	mu    sync.Mutex // serialises writers
	plans atomic.Pointer[map[string]*compiledPlan]
}

// NewPlans returns a registry holding plans.
func NewPlans(plans ...Plan) (*Plans, error) {
	ps := &Plans{}
	ps.plans.Store(&map[string]*compiledPlan{})
	for _, p := range plans {
		if err := ps.Set(p); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// Set adds p, or replaces the plan of the same name.
func (ps *Plans) Set(p Plan) error {
	if p.Name == "" {
		return errors.New("tollgate: plan without a name")
	}
	if p.Quota.Limit > 0 {
		if p.Quota.Name == "" {
			p.Quota.Name = p.Name
		}
		if err := p.Quota.Validate(); err != nil {
			return fmt.Errorf("tollgate: plan %q: %w", p.Name, err)
		}
	}
	for _, limits := range append([][]ratelimit.Limit{p.Throttle}, mapValues(p.RouteThrottles)...) {
		if _, err := ratelimit.NewPolicy(p.Name, limits...); err != nil && len(limits) > 0 {
			return fmt.Errorf("tollgate: plan %q: %w", p.Name, err)
		}
	}
	routes, err := routeMux(p.Routes)
	if err != nil {
		return fmt.Errorf("tollgate: plan %q: %w", p.Name, err)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	next := clonePlans(*ps.plans.Load())
	next[p.Name] = &compiledPlan{Plan: p, routes: routes}
	ps.plans.Store(&next)
	return nil
}

// Delete removes the named plan; identities on it are then treated as
// having no plan.
func (ps *Plans) Delete(name string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	next := clonePlans(*ps.plans.Load())
	delete(next, name)
	ps.plans.Store(&next)
}

// Get returns the named plan.
func (ps *Plans) Get(name string) (Plan, bool) {
	p, ok := ps.lookup(name)
	if !ok {
		return Plan{}, false
	}
	return p.Plan, true
}

func (ps *Plans) lookup(name string) (*compiledPlan, bool) {
	p, ok := (*ps.plans.Load())[name]
	return p, ok
}

func mapValues[K comparable, V any](m map[K]V) []V {
	vs := make([]V, 0, len(m))
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

func clonePlans(m map[string]*compiledPlan) map[string]*compiledPlan {
	c := make(map[string]*compiledPlan, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// routeMux compiles route patterns into a ServeMux used only to match,
// so plans read patterns exactly as the standard router does.
func routeMux(patterns []string) (mux *http.ServeMux, err error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	defer func() { // ServeMux panics on a bad or conflicting pattern
		if v := recover(); v != nil {
			mux, err = nil, fmt.Errorf("route pattern: %v", v)
		}
	}()
	mux = http.NewServeMux()
	for _, p := range patterns {
		mux.Handle(p, http.NotFoundHandler())
	}
	return mux, nil
}

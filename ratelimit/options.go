package ratelimit

import (
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/clock"
)

// Option configures a [Limiter].
type Option func(*config) error

// ErrorHandler writes the response for a request the middleware does not
// serve: err is a [*LimitError] for a refusal, wraps [ErrCostTooHigh] for
// a request that can never pass, or is the store's error when the fail
// policy is closed.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// FailPolicy decides what happens to a request when the store fails:
// true lets it through unthrottled, false refuses it (503 by default). It
// is the place to log or count store failures.
type FailPolicy func(r *http.Request, err error) (allow bool)

// FailOpen lets requests through while the store fails.
func FailOpen(*http.Request, error) bool { return true }

// FailClosed refuses requests while the store fails.
func FailClosed(*http.Request, error) bool { return false }

type config struct {
	now        func() time.Time // nil: mono
	mono       clock.Monotonic
	key        KeyFunc
	cost       func(*http.Request) int64
	policyFunc func(*http.Request) *Policy
	routes     routes
	fail       FailPolicy
	onError    ErrorHandler
	skip       func(*http.Request) bool
	shadow     bool
	report     func(*http.Request, Result)
	headers    bool
	legacy     bool
}

// WithClock sets the time source. Default: the monotonic clock anchored
// to the wall clock when the limiter was made, which costs one clock read
// where [time.Now] costs two.
func WithClock(now func() time.Time) Option {
	return func(c *config) error { c.now = now; return nil }
}

// WithKey sets how the middleware keys requests. Default:
// [KeyByIdentity], which leaves unauthenticated requests unthrottled.
func WithKey(key KeyFunc) Option {
	return func(c *config) error { c.key = key; return nil }
}

// WithCost sets how many units a request costs; a cost below 1 takes
// nothing. Default: 1 per request.
func WithCost(cost func(*http.Request) int64) Option {
	return func(c *config) error { c.cost = cost; return nil }
}

// WithPolicyFunc chooses the policy per request, e.g. from the caller's
// usage plan; returning nil falls back to the route overrides and then
// to the limiter's own limits. Build the policies once with [NewPolicy]
// so choosing one costs nothing. Default: none.
func WithPolicyFunc(f func(*http.Request) *Policy) Option {
	return func(c *config) error { c.policyFunc = f; return nil }
}

// WithRoute overrides the limits for one route, as API Gateway's
// method-level throttling does. pattern is a Go 1.22 [http.ServeMux]
// pattern ("GET /items/{id}", "/health") matched against r.Pattern; when
// the limiter runs before the mux, r.Pattern is still empty and only
// patterns without wildcards match, on the method and exact path.
// Default: no overrides.
func WithRoute(pattern string, limits ...Limit) Option {
	return func(c *config) error {
		p, err := NewPolicy(pattern, limits...)
		if err != nil {
			return err
		}
		return c.routes.add(pattern, p)
	}
}

// WithFailPolicy sets what happens when the store fails. Default:
// [FailOpen], as Envoy does: a broken store does not take the API down.
func WithFailPolicy(f FailPolicy) Option {
	return func(c *config) error { c.fail = f; return nil }
}

// WithErrorHandler replaces the default responses: a 429 problem with
// Retry-After for a refusal, 503 when the store fails closed. The rate
// limit headers are set before it is called. Default: [WriteError].
func WithErrorHandler(h ErrorHandler) Option {
	return func(c *config) error { c.onError = h; return nil }
}

// WithSkip lets requests for which skip returns true through without
// counting them. Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option {
	return func(c *config) error { c.skip = skip; return nil }
}

// WithShadow turns on dry-run mode: requests are counted and the headers
// sent, but refused requests are served anyway and passed to report
// (which may be nil), so limits can be tried on live traffic. Default: off.
func WithShadow(report func(*http.Request, Result)) Option {
	return func(c *config) error { c.shadow, c.report = true, report; return nil }
}

// WithLegacyHeaders adds X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (seconds from now) beside the standard fields.
// Default: off.
func WithLegacyHeaders() Option {
	return func(c *config) error { c.legacy = true; return nil }
}

// WithoutHeaders stops the middleware from setting any rate limit field
// but Retry-After, for a caller that writes them itself (merging them
// with a quota's, say). Default: the fields are set on every response.
func WithoutHeaders() Option {
	return func(c *config) error { c.headers = false; return nil }
}

// nanos reads the clock in Unix nanoseconds; the default builds no
// time.Time.
func (c *config) nanos() int64 {
	if c.now == nil {
		return c.mono.UnixNano()
	}
	return c.now().UnixNano()
}

// time reads the clock.
func (c *config) time() time.Time {
	if c.now == nil {
		return c.mono.Now()
	}
	return c.now()
}

// defaults fills in what options left nil.
func (c *config) defaults() {
	if c.now == nil {
		c.mono = clock.NewMonotonic()
	}
	if c.key == nil {
		c.key = KeyByIdentity()
	}
	if c.fail == nil {
		c.fail = FailOpen
	}
	if c.onError == nil {
		c.onError = WriteError
	}
}

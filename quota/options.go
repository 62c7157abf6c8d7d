package quota

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
)

// ErrorHandler writes the response for a request the middleware refuses.
// err is an [*ExceededError] when the quota is spent; otherwise the store
// failed (and the fail policy is closed) or the quota is invalid. See
// [HTTPStatus] for the status each implies.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// Option configures [New].
type Option func(*config)

type config struct {
	now       clock.Func
	quotaFor  func(*http.Request) (Quota, bool)
	keyFor    func(*http.Request) (string, bool)
	costFor   func(*http.Request) int64
	skip      func(*http.Request) bool
	onError   ErrorHandler
	refund5xx bool
	failOpen  bool
	noHeaders bool
	static    *Quota
}

func defaultConfig() config {
	return config{now: clock.Mono(), keyFor: identityKey, onError: WriteError}
}

func (c *config) validate() error {
	if c.static != nil {
		if err := c.static.Validate(); err != nil {
			return err
		}
	}
	if c.keyFor == nil || c.onError == nil {
		return fmt.Errorf("%w: nil option function", ErrInvalidQuota)
	}
	return nil
}

// WithClock sets the time source. Default: the monotonic clock anchored
// to the wall clock when the Limiter was made: one wall-clock read, then
// only the cheaper monotonic clock.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = clock.OrReal(now) } }

// WithQuota makes the middleware apply q to every request it counts.
// Default: no quota, so the middleware counts nothing unless [WithQuotaFunc]
// is given.
func WithQuota(q Quota) Option {
	return func(c *config) {
		c.static = &q
		c.quotaFor = func(*http.Request) (Quota, bool) { return q, true }
	}
}

// WithQuotaFunc lets the middleware choose the quota per request, e.g.
// from the caller's usage plan; returning false lets the request through
// uncounted. It replaces [WithQuota]. Default: none.
func WithQuotaFunc(f func(*http.Request) (Quota, bool)) Option {
	return func(c *config) { c.static, c.quotaFor = nil, f }
}

// WithKeyFunc sets whose quota a request counts against; returning false
// lets it through uncounted. Default: the ID of the [auth.Identity] in the
// request context, and requests without one pass uncounted (refusing
// anonymous callers is the authentication stage's job).
func WithKeyFunc(f func(*http.Request) (string, bool)) Option {
	return func(c *config) { c.keyFor = f }
}

// WithCost sets what a request costs; a negative cost is a server error.
// Default: 1 per request.
func WithCost(f func(*http.Request) int64) Option { return func(c *config) { c.costFor = f } }

// WithRefundServerErrors counts only responses below 500: the charge for a
// request whose response has a 5xx status is given back (to the period
// that was charged). Default: every admitted request counts.
func WithRefundServerErrors() Option { return func(c *config) { c.refund5xx = true } }

// WithSkip lets requests for which skip returns true through uncounted.
// Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option { return func(c *config) { c.skip = skip } }

// WithErrorHandler replaces the default RFC 9457 problem response.
// Default: [WriteError].
func WithErrorHandler(h ErrorHandler) Option { return func(c *config) { c.onError = h } }

// WithFailOpen lets requests through uncounted when the store fails.
// Default: fail closed, refusing them with 503, since a quota often
// guards what costs money.
func WithFailOpen() Option { return func(c *config) { c.failOpen = true } }

// WithoutHeaders stops the middleware from writing the RateLimit-Policy
// and RateLimit fields, for a caller that merges them itself. Default:
// written on every counted response.
func WithoutHeaders() Option { return func(c *config) { c.noHeaders = true } }

func identityKey(r *http.Request) (string, bool) {
	id, ok := auth.FromContext(r.Context())
	if !ok {
		return "", false
	}
	return id.ID, true
}

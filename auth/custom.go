package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/ttlcache"
)

// CustomAuthorizer is an [Authenticator] that runs a function of the
// request, as an Amazon API Gateway Lambda authorizer does, and caches its
// decisions as API Gateway caches a REQUEST authorizer's:
//
//   - Results are keyed by the values of the identity sources
//     ([WithIdentitySources]); the key is their SHA-256, so no credential
//     is held in memory beyond the request that carried it.
//   - A request missing any identity source is refused with
//     [ErrNoCredentials] without calling the function.
//   - Identities and refusals (errors matching [ErrNoCredentials],
//     [ErrInvalidCredentials] or [ErrForbidden]) are cached for the TTL
//     ([WithResultTTL]); failures to decide and context errors are not.
//   - Concurrent requests with the same identity source values share one
//     call of the function.
//
// The cache assumes the function's decision depends only on the identity
// sources: anything else it reads (the path, the method) must be a source
// too, or the first request's decision is reused for different requests.
// Without identity sources nothing is cached and every request calls the
// function.
//
// A CustomAuthorizer is safe for concurrent use.
type CustomAuthorizer struct {
	fn      AuthenticatorFunc
	sources []IdentitySource
	ttl     time.Duration
	now     clock.Func
	cache   *ttlcache.Cache[cacheKey, result] // nil when caching is off
	flights flightGroup
}

var _ Authenticator = (*CustomAuthorizer)(nil)

// CustomOption configures [NewCustomAuthorizer].
type CustomOption func(*customConfig)

type customConfig struct {
	sources []IdentitySource
	ttl     time.Duration
	size    int
	now     clock.Func
}

// DefaultResultTTL is how long a [CustomAuthorizer] caches a decision
// unless [WithResultTTL] says otherwise; it is API Gateway's default.
const DefaultResultTTL = 300 * time.Second

// WithIdentitySources sets the request parts that identify a caller: the
// cache key, and required on every request. Default: none, which disables
// caching.
func WithIdentitySources(sources ...IdentitySource) CustomOption {
	return func(c *customConfig) { c.sources = append(c.sources, sources...) }
}

// WithResultTTL sets how long a decision is cached; 0 disables caching
// (identity sources are still required). Default: [DefaultResultTTL].
func WithResultTTL(ttl time.Duration) CustomOption { return func(c *customConfig) { c.ttl = ttl } }

// WithResultCacheSize bounds the number of cached decisions; when full, the
// soonest to expire make room. Default: 10000.
func WithResultCacheSize(n int) CustomOption { return func(c *customConfig) { c.size = n } }

// WithAuthorizerClock sets the clock that dates cached decisions. Default:
// [time.Now].
func WithAuthorizerClock(now func() time.Time) CustomOption {
	return func(c *customConfig) { c.now = now }
}

// NewCustomAuthorizer returns an authenticator that calls fn, caching its
// decisions. fn follows the [Authenticator] contract: an identity, or an
// error matching [ErrNoCredentials], [ErrInvalidCredentials] or
// [ErrForbidden] (possibly inside an [*Error]) for a decision, anything
// else for a failure to decide. NewCustomAuthorizer fails if fn is nil, an
// identity source is invalid, the TTL is negative or the cache size is not
// positive.
func NewCustomAuthorizer(fn AuthenticatorFunc, opts ...CustomOption) (*CustomAuthorizer, error) {
	c := customConfig{ttl: DefaultResultTTL, size: 10000}
	for _, o := range opts {
		o(&c)
	}
	switch {
	case fn == nil:
		return nil, errors.New("auth: custom authorizer: nil function")
	case c.ttl < 0:
		return nil, fmt.Errorf("auth: custom authorizer: negative result TTL %v", c.ttl)
	case c.size < 1:
		return nil, fmt.Errorf("auth: custom authorizer: cache size %d, want at least 1", c.size)
	}
	for i, s := range c.sources {
		if !s.valid() {
			return nil, fmt.Errorf("auth: custom authorizer: identity source %d (%v) is invalid", i, s)
		}
	}
	a := &CustomAuthorizer{fn: fn, sources: c.sources, ttl: c.ttl, now: clock.OrReal(c.now)}
	if c.ttl > 0 && len(c.sources) > 0 {
		a.cache = ttlcache.New[cacheKey, result](c.size)
	}
	return a, nil
}

// Authenticate returns the cached decision for r's identity sources, or
// calls the function (once for all concurrent requests alike) and caches
// its decision.
func (a *CustomAuthorizer) Authenticate(ctx context.Context, r *http.Request) (*Identity, error) {
	if a.cache == nil {
		if err := a.checkSources(r); err != nil {
			return nil, err
		}
		res := a.call(ctx, r)
		return res.id, res.err
	}
	key, err := a.key(r)
	if err != nil {
		return nil, err
	}
	if res, ok := a.cache.Get(key, a.now()); ok {
		return res.id, res.err
	}
	res := a.flights.do(ctx, key, func() result {
		res := a.call(ctx, r)
		if cacheable(res.err) {
			a.cache.Set(key, res, a.now().Add(a.ttl))
		}
		return res
	})
	return res.id, res.err
}

// Flush drops every cached decision, as API Gateway's "flush authorizer
// cache" does: use it after revoking credentials.
func (a *CustomAuthorizer) Flush() {
	if a.cache != nil {
		a.cache.DeleteFunc(func(cacheKey, result) bool { return true })
	}
}

// key hashes r's identity source values, or reports the first one missing.
// The values are copied to a stack buffer, hashed and wiped.
func (a *CustomAuthorizer) key(r *http.Request) (cacheKey, error) {
	var arr [512]byte
	buf, err := a.appendSources(arr[:0], r)
	defer func() { clear(arr[:]); clear(buf) }()
	if err != nil {
		return cacheKey{}, err
	}
	return sha256.Sum256(buf), nil
}

// checkSources reports the first identity source missing from r.
func (a *CustomAuthorizer) checkSources(r *http.Request) error {
	var arr [512]byte
	buf, err := a.appendSources(arr[:0], r)
	clear(arr[:])
	clear(buf)
	return err
}

func (a *CustomAuthorizer) appendSources(buf []byte, r *http.Request) ([]byte, error) {
	for _, s := range a.sources {
		var present bool
		if buf, present = s.appendValues(buf, r); !present {
			return buf, fmt.Errorf("auth: identity source %v missing: %w", s, ErrNoCredentials)
		}
	}
	return buf, nil
}

func (a *CustomAuthorizer) call(ctx context.Context, r *http.Request) result {
	id, err := a.fn(ctx, r)
	switch {
	case err != nil:
		return result{err: err}
	case id == nil:
		return result{err: errNoIdentity}
	case id.Method == "":
		id = id.Clone()
		id.Method = MethodCustom
	}
	return result{id: id}
}

// cacheable reports whether err is a decision worth remembering rather
// than a failure to decide.
func cacheable(err error) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return errors.Is(err, ErrNoCredentials) || errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrForbidden)
}

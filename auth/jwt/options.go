package jwt

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate/tollgate/internal/clock"
)

// Option configures [New], [NewJWKS] or [Discover]; each option's comment
// says which it applies to, and the others ignore it.
type Option func(*options)

type options struct {
	now          func() time.Time
	leeway       time.Duration
	maxAge       time.Duration
	required     []string
	idClaim      string
	planClaim    string
	attrClaims   []string
	types        []string
	cookie       string
	query        string
	cacheSize    int
	maxToken     int
	client       *http.Client
	refreshEvery time.Duration
	minRefresh   time.Duration
}

func newOptions(opts []Option) (*options, error) {
	o := &options{
		leeway:       30 * time.Second,
		idClaim:      "sub",
		cacheSize:    10_000,
		maxToken:     8 << 10,
		client:       &http.Client{Timeout: 10 * time.Second},
		refreshEvery: 15 * time.Minute,
		minRefresh:   time.Minute,
	}
	for _, opt := range opts {
		opt(o)
	}
	o.now = clock.OrReal(o.now)
	return o, o.validate()
}

func (o *options) validate() error {
	switch {
	case o.leeway < 0 || o.maxAge < 0:
		return errors.New("jwt: leeway and max age must not be negative")
	case o.idClaim == "":
		return errors.New("jwt: identity claim must not be empty")
	case o.cacheSize < 0:
		return errors.New("jwt: cache size must not be negative")
	case o.maxToken < 64:
		return errors.New("jwt: max token size must be at least 64 bytes")
	case o.client == nil:
		return errors.New("jwt: nil HTTP client")
	case o.refreshEvery <= 0 || o.minRefresh < 0:
		return errors.New("jwt: refresh intervals must be positive")
	}
	return nil
}

// WithClock sets the time source for claim checks and refresh rate
// limiting. For [New], [NewJWKS] and [Discover]. Default: [time.Now].
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLeeway sets the clock skew tolerated on exp, nbf and iat. For [New].
// Default: 30 seconds.
func WithLeeway(d time.Duration) Option { return func(o *options) { o.leeway = d } }

// WithMaxAge refuses tokens issued (iat) longer than d ago, and then
// requires iat. For [New]. Default: 0, no limit.
func WithMaxAge(d time.Duration) Option { return func(o *options) { o.maxAge = d } }

// WithRequiredClaims refuses tokens that lack any of the named claims.
// For [New]. Default: only exp is required.
func WithRequiredClaims(names ...string) Option {
	return func(o *options) { o.required = append(o.required, names...) }
}

// WithIdentityClaim names the string claim that becomes [auth.Identity].ID;
// a token without it is refused. For [New]. Default: "sub".
func WithIdentityClaim(name string) Option { return func(o *options) { o.idClaim = name } }

// WithPlanClaim names the string claim that becomes [auth.Identity].Plan.
// For [New]. Default: none, the plan is left empty.
func WithPlanClaim(name string) Option { return func(o *options) { o.planClaim = name } }

// WithAttributeClaims copies the named string claims, when present, into
// [auth.Identity].Attributes. For [New]. Default: only "iss" is copied.
func WithAttributeClaims(names ...string) Option {
	return func(o *options) { o.attrClaims = append(o.attrClaims, names...) }
}

// WithTokenTypes accepts only tokens whose typ header names one of types,
// e.g. "at+jwt" for RFC 9068 access tokens, so an ID token or another
// kind of JWT from the same issuer cannot pass for an access token
// (RFC 8725 §3.11). For [New]. Default: any typ, or none.
func WithTokenTypes(types ...string) Option {
	return func(o *options) { o.types = append(o.types, types...) }
}

// WithCookie also takes the token from the named cookie when the request
// has no Authorization header. For [New]. Default: header only.
func WithCookie(name string) Option { return func(o *options) { o.cookie = name } }

// WithQueryParam also takes the token from the named query parameter when
// neither header nor cookie carries one. Query strings end up in logs and
// browser history; use it only where a header cannot be set (WebSocket
// handshakes from browsers). For [New]. Default: off.
func WithQueryParam(name string) Option { return func(o *options) { o.query = name } }

// WithCacheSize bounds the verified-token cache; 0 disables it. For [New].
// Default: 10,000 tokens.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = n } }

// WithMaxTokenSize refuses longer tokens before any parsing. For [New].
// Default: 8 KiB.
func WithMaxTokenSize(n int) Option { return func(o *options) { o.maxToken = n } }

// WithHTTPClient sets the client that fetches key sets and discovery
// documents. For [NewJWKS] and [Discover]. Default: a client with a
// 10 second timeout.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithRefreshInterval sets how often a [JWKS] is fetched in the
// background. For [NewJWKS] and [Discover]. Default: 15 minutes.
func WithRefreshInterval(d time.Duration) Option { return func(o *options) { o.refreshEvery = d } }

// WithMinRefreshInterval sets the least time between two fetches prompted
// by unknown key IDs. For [NewJWKS] and [Discover]. Default: 1 minute.
func WithMinRefreshInterval(d time.Duration) Option { return func(o *options) { o.minRefresh = d } }

// checkURL accepts https URLs, and http ones to loopback hosts only: keys
// fetched in the clear could be swapped by anyone on the path.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("jwt: invalid URL %q", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("jwt: URL %q must use https", raw)
}

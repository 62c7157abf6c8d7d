package jwt

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/ttlcache"
)

// Issuer is one token issuer a [Verifier] trusts.
type Issuer struct {
	// Issuer is the exact value of the tokens' iss claim.
	Issuer string
	// Audiences lists the aud values accepted; a token must name at least
	// one of them. At least one is required.
	Audiences []string
	// Keys supplies the verification keys: a [*JWKS], the result of
	// [Discover], or [*StaticKeys].
	Keys KeySource
	// Algorithms is the allow-list of JWS algorithms for this issuer.
	// Default: [DefaultAlgorithms]. HS256/384/512 may be listed only when
	// Keys holds an HMAC secret; "none" can never be.
	Algorithms []string
}

type issuer struct {
	Issuer
	algs map[string]algInfo
}

// Verifier authenticates requests bearing JWTs (RFC 7519, RFC 9068 access
// tokens) from one or more issuers. It implements [auth.Authenticator] and
// is safe for concurrent use.
type Verifier struct {
	o       *options
	issuers map[string]*issuer
	cache   *ttlcache.Cache[[sha256.Size]byte, *verified] // nil: disabled
}

var _ auth.Authenticator = (*Verifier)(nil)

// verified is a cache entry: the identity and the key that proved it.
type verified struct {
	id  *auth.Identity
	key *key
}

// New returns a verifier that accepts tokens from any of issuers.
func New(issuers []Issuer, opts ...Option) (*Verifier, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if len(issuers) == 0 {
		return nil, errors.New("jwt: no issuers")
	}
	v := &Verifier{o: o, issuers: make(map[string]*issuer, len(issuers))}
	for _, is := range issuers {
		in, err := newIssuer(is)
		if err != nil {
			return nil, err
		}
		if _, dup := v.issuers[is.Issuer]; dup {
			return nil, fmt.Errorf("jwt: issuer %q listed twice", is.Issuer)
		}
		v.issuers[is.Issuer] = in
	}
	if o.cacheSize > 0 {
		v.cache = ttlcache.New[[sha256.Size]byte, *verified](o.cacheSize)
	}
	return v, nil
}

func newIssuer(is Issuer) (*issuer, error) {
	switch {
	case is.Issuer == "":
		return nil, errors.New("jwt: issuer with an empty name")
	case len(is.Audiences) == 0:
		return nil, fmt.Errorf("jwt: issuer %q: no audiences", is.Issuer)
	case is.Keys == nil:
		return nil, fmt.Errorf("jwt: issuer %q: no keys", is.Issuer)
	}
	algs := is.Algorithms
	if len(algs) == 0 {
		algs = DefaultAlgorithms
	}
	in := &issuer{Issuer: is, algs: make(map[string]algInfo, len(algs))}
	for _, a := range algs {
		info, ok := algorithms[a]
		if !ok {
			return nil, fmt.Errorf("jwt: issuer %q: unsupported algorithm %q", is.Issuer, a)
		}
		if info.family == famHMAC {
			if _, static := is.Keys.(*StaticKeys); !static {
				return nil, fmt.Errorf("jwt: issuer %q: %s needs static keys with a secret", is.Issuer, a)
			}
		}
		in.algs[a] = info
	}
	return in, nil
}

// errNoToken is the answer to a request without a token: it matches
// [auth.ErrNoCredentials], so another authenticator may try, and carries
// the bare challenge RFC 6750 §3 asks a 401 without a token to bear.
var errNoToken = &auth.Error{Challenge: "Bearer", Err: auth.ErrNoCredentials}

// Authenticate verifies the request's bearer token. A request without one
// yields an error matching [auth.ErrNoCredentials]; a bad token an [*auth.Error] with code
// "invalid_token" and an RFC 6750 challenge; a key set that cannot be
// fetched an error that matches neither (503).
func (v *Verifier) Authenticate(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	tok, ok := v.extract(r)
	if !ok {
		return nil, errNoToken
	}
	return v.Verify(ctx, tok)
}

// Verify checks token and returns the identity it proves. A token seen
// before is answered from the cache until its exp, unless the key that
// signed it has since left its key set. The identity returned may be
// shared: treat it as read-only.
func (v *Verifier) Verify(ctx context.Context, token string) (*auth.Identity, error) {
	if len(token) > v.o.maxToken {
		return nil, invalid(ErrMalformed)
	}
	now := v.o.now()
	if v.cache == nil {
		id, _, _, err := v.verify(ctx, token, now)
		return id, err
	}
	sum := sha256.Sum256(bytesOf(token))
	if e, ok := v.cache.Get(sum, now); ok {
		if !e.key.removed.Load() {
			return e.id, nil
		}
		v.cache.Delete(sum)
	}
	id, k, until, err := v.verify(ctx, token, now)
	if err == nil && until.After(now) {
		v.cache.Set(sum, &verified{id: id, key: k}, until)
	}
	return id, err
}

// verify runs every check on a token not found in the cache.
func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (*auth.Identity, *key, time.Time, error) {
	var until time.Time
	p, ok := split(token)
	if !ok {
		return nil, nil, until, invalid(ErrMalformed)
	}
	h, ok1 := parseHeader(p.header)
	c, ok2 := parseClaims(p.payload)
	if !ok1 || !ok2 {
		return nil, nil, until, invalid(ErrMalformed)
	}
	iss, _, _ := c.str("iss")
	is := v.issuers[iss]
	if is == nil {
		return nil, nil, until, invalid(ErrIssuer)
	}
	if len(v.o.types) > 0 && !typeIn(h.Typ, v.o.types) {
		return nil, nil, until, invalid(ErrType)
	}
	k, err := is.verifySignature(ctx, p, h)
	if err != nil {
		return nil, nil, until, err
	}
	id, until, reason := v.checkClaims(c, is, now)
	if reason != nil {
		return nil, nil, until, invalid(reason)
	}
	return id, k, until, nil
}

// verifySignature finds the key for h and checks the signature with it.
func (is *issuer) verifySignature(ctx context.Context, p parts, h header) (*key, error) {
	info, ok := is.algs[h.Alg]
	if !ok {
		return nil, invalid(ErrAlgorithm)
	}
	keys, err := is.Keys.lookup(ctx, h.Kid)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("jwt: keys of issuer %q: %w", is.Issuer.Issuer, err)
	}
	sig, ok := decodeSegment(p.signature)
	if !ok {
		return nil, invalid(ErrMalformed)
	}
	reason := ErrUnknownKey
	for _, k := range keys {
		if !k.fits(h.Alg, info) {
			reason = pick(reason == ErrUnknownKey, ErrAlgorithm, reason)
			continue
		}
		if jwsbb.Verify(k.pub, h.Alg, bytesOf(p.signingInput), sig) == nil {
			return k, nil
		}
		reason = ErrSignature
	}
	return nil, invalid(reason)
}

// checkClaims validates the claims of a token whose signature holds and
// maps them to an identity.
func (v *Verifier) checkClaims(c claims, is *issuer, now time.Time) (*auth.Identity, time.Time, error) {
	until, reason := v.checkTimes(c, now)
	if reason != nil {
		return nil, until, reason
	}
	if err := checkAudience(c, is.Audiences); err != nil {
		return nil, until, err
	}
	for _, name := range v.o.required {
		if _, ok := c[name]; !ok {
			return nil, until, ErrMissingClaim
		}
	}
	id, err := v.identity(c, is.Issuer.Issuer)
	return id, until, err
}

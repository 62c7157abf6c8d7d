package mtls

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/ttlcache"
)

// Sentinel errors for refused certificates. Each is returned inside an
// [*auth.Error] with status 403 that also matches [auth.ErrInvalidCredentials].
var (
	// ErrUntrusted means the certificate does not chain to a trusted root
	// for client authentication, or the TLS server did not verify it.
	ErrUntrusted = errors.New("mtls: client certificate not trusted")
	// ErrExpired means a certificate in the chain is outside its validity
	// period now, though it may have been valid at the handshake.
	ErrExpired = errors.New("mtls: client certificate expired or not yet valid")
	// ErrRevoked means the revocation check reported a certificate in the
	// chain as revoked.
	ErrRevoked = errors.New("mtls: client certificate revoked")
)

// RevocationCheck reports whether cert is revoked. An error is a failure to
// decide (a CRL or OCSP responder out of reach): the request gets 503.
type RevocationCheck func(ctx context.Context, cert *x509.Certificate) (revoked bool, err error)

// Authenticator proves a caller by the client certificate of its TLS
// connection. It is safe for concurrent use.
//
// A request without a client certificate (or without TLS) has no
// credentials of this kind: the error matches [auth.ErrNoCredentials], so
// [auth.AnyOf] may try another authenticator. A certificate that is
// untrusted, expired or revoked is refused with 403 (an [*auth.Error]
// matching [auth.ErrInvalidCredentials]): HTTP has no WWW-Authenticate
// scheme for TLS certificates, so 401 could not be answered as RFC 9110
// requires, and another request on the same connection cannot present a
// different certificate anyway.
type Authenticator struct {
	roots   *x509.CertPool
	chains  *ttlcache.Cache[*x509.Certificate, verification]
	mapping Mapping
	revoked RevocationCheck
	now     clock.Func
}

var _ auth.Authenticator = (*Authenticator)(nil)

type verification struct {
	chain []*x509.Certificate
	err   error
}

// memoTTL and memoSize bound the per-certificate memos: a memo holds a
// parsed certificate (a few KB) alive until it expires or is evicted.
const (
	memoTTL  = 10 * time.Minute
	memoSize = 1024
)

// Option configures [New].
type Option func(*Authenticator)

// WithRoots makes the authenticator verify the presented chain itself,
// against pool and for client authentication, instead of trusting the
// chains the TLS server verified. Use it when the server only requests a
// certificate ([crypto/tls.RequestClientCert]) or trusts more CAs than this
// route should. Default: nil, trust the server's [crypto/tls.Config.ClientCAs]
// verification and refuse certificates it did not verify.
func WithRoots(pool *x509.CertPool) Option { return func(a *Authenticator) { a.roots = pool } }

// WithMapping sets how a verified certificate becomes an identity.
// Default: IDFrom(SubjectDN).
func WithMapping(m Mapping) Option { return func(a *Authenticator) { a.mapping = m } }

// WithRevocationCheck sets a check run on every certificate of the
// verified chain but its root, leaf first, on every request; cache in it if
// it is slow. [RevokedBy] builds one from CRLs. Default: none.
func WithRevocationCheck(f RevocationCheck) Option { return func(a *Authenticator) { a.revoked = f } }

// WithClock sets the clock against which validity periods are checked.
// Default: [time.Now].
func WithClock(now func() time.Time) Option { return func(a *Authenticator) { a.now = now } }

// New returns an authenticator for TLS client certificates. It fails if
// the mapping is nil.
func New(opts ...Option) (*Authenticator, error) {
	a := &Authenticator{mapping: IDFrom(SubjectDN)}
	for _, o := range opts {
		o(a)
	}
	if a.mapping == nil {
		return nil, errors.New("mtls: nil mapping")
	}
	a.now = clock.OrReal(a.now)
	if a.roots != nil {
		a.chains = ttlcache.New[*x509.Certificate, verification](memoSize)
	}
	return a, nil
}

// Authenticate verifies the request's client certificate, checks it is not
// revoked and maps it to an identity whose Method is [auth.MethodMTLS].
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, auth.ErrNoCredentials
	}
	chain, err := a.verify(r.TLS.PeerCertificates, r.TLS.VerifiedChains)
	if err != nil {
		return nil, err
	}
	if err := a.checkRevoked(ctx, chain); err != nil {
		return nil, err
	}
	id, err := a.mapping(ctx, chain[0])
	switch {
	case err != nil:
		return nil, err
	case id == nil:
		return nil, errors.New("mtls: mapping returned no identity and no error")
	case id.Method == "":
		id = id.Clone()
		id.Method = auth.MethodMTLS
	}
	return id, nil
}

// verify returns a trusted chain, leaf first, for the presented
// certificates: verified against the authenticator's own roots, or else
// taken from the TLS server's verification. Either way the chain is
// rechecked against the clock, as a long-lived connection can outlast its
// certificate.
func (a *Authenticator) verify(peer []*x509.Certificate, verified [][]*x509.Certificate) ([]*x509.Certificate, error) {
	now := a.now()
	var chain []*x509.Certificate
	switch {
	case a.roots != nil:
		v, err := a.verifyOwn(peer, now)
		if err != nil {
			return nil, err
		}
		chain = v
	case len(verified) == 0:
		return nil, refuse("untrusted_certificate", "The client certificate was not verified.", ErrUntrusted, nil)
	default:
		chain = verified[0]
	}
	for _, c := range chain {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return nil, refuse("certificate_expired", "The client certificate is expired or not yet valid.", ErrExpired, nil)
		}
	}
	return chain, nil
}

// verifyOwn verifies peer against the authenticator's roots. Results are
// memoized per parsed leaf: net/http hands every request on a connection
// the same *x509.Certificate, so a client reusing its connection pays for
// x509 verification (about a millisecond) once, and one that repeats an
// untrusted certificate cannot make the server pay again.
func (a *Authenticator) verifyOwn(peer []*x509.Certificate, now time.Time) ([]*x509.Certificate, error) {
	if v, ok := a.chains.Get(peer[0], now); ok {
		return v.chain, v.err
	}
	inter := x509.NewCertPool()
	for _, c := range peer[1:] {
		inter.AddCert(c)
	}
	chains, err := peer[0].Verify(x509.VerifyOptions{
		Roots:         a.roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if invalid, ok := errors.AsType[x509.CertificateInvalidError](err); ok && invalid.Reason == x509.Expired {
		// Not memoized: validity depends on the time of asking.
		return nil, refuse("certificate_expired", "The client certificate is expired or not yet valid.", ErrExpired, err)
	}
	v := verification{err: err}
	if err != nil {
		v.err = refuse("untrusted_certificate", "The client certificate is not trusted.", ErrUntrusted, err)
	} else {
		v.chain = chains[0]
	}
	a.chains.Set(peer[0], v, now.Add(memoTTL))
	return v.chain, v.err
}

// checkRevoked runs the revocation check on every certificate of chain but
// the root, which is trusted by configuration rather than by signature.
func (a *Authenticator) checkRevoked(ctx context.Context, chain []*x509.Certificate) error {
	if a.revoked == nil {
		return nil
	}
	for _, c := range chain[:max(1, len(chain)-1)] {
		revoked, err := a.revoked(ctx, c)
		switch {
		case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return err
		case err != nil:
			return fmt.Errorf("mtls: revocation check: %w", err)
		case revoked:
			return refuse("certificate_revoked", "The client certificate has been revoked.", ErrRevoked, nil)
		}
	}
	return nil
}

// refuse builds the 403 for a bad certificate. The description is fixed
// text: the cause (an x509 error) stays on the server side.
func refuse(code, desc string, reason, cause error) error {
	err := fmt.Errorf("%w: %w", reason, auth.ErrInvalidCredentials)
	if cause != nil {
		err = fmt.Errorf("%w: %w: %w", reason, auth.ErrInvalidCredentials, cause)
	}
	return &auth.Error{Status: http.StatusForbidden, Code: code, Description: desc, Err: err}
}

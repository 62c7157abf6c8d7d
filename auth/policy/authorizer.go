package policy

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
)

// ErrAccessDenied is matched by the error for a request the policies do
// not allow; it comes with [auth.ErrForbidden].
var ErrAccessDenied = errors.New("policy: access denied")

// errNoPolicies is returned by [New] when no policy could ever apply.
var errNoPolicies = errors.New("policy: a store, a lookup or default policies are required")

// DeniedError reports a refused request and the decision behind it. It
// matches [ErrAccessDenied] and [auth.ErrForbidden].
type DeniedError struct {
	// Result is the decision that refused the request.
	Result Result
}

// Error names the decision and, for an explicit deny, the statement.
func (e *DeniedError) Error() string {
	if e.Result.Decision == ExplicitDeny {
		return "policy: access explicitly denied by statement " + quoteOr(e.Result.Sid, "without Sid") +
			" of policy " + quoteOr(e.Result.PolicyID, "without Id")
	}
	return "policy: access denied: no statement allows it"
}

// Unwrap returns ErrAccessDenied and auth.ErrForbidden.
func (e *DeniedError) Unwrap() []error { return []error{ErrAccessDenied, auth.ErrForbidden} }

func quoteOr(s, none string) string {
	if s == "" {
		return none
	}
	return strconv.Quote(s)
}

// Authorizer decides requests of authenticated identities against the
// policies attached to them. Create one with [New]; it is safe for
// concurrent use.
type Authorizer struct {
	lookup   Lookup
	base     []*Policy
	action   func(*http.Request) string
	resource func(*http.Request) string
	sourceIP func(*http.Request) netip.Addr
	now      clock.Func
	skip     func(*http.Request) bool
	onError  auth.ErrorHandler
}

// Option configures [New].
type Option func(*Authorizer)

// Lookup finds the policies attached to an identity. An error means the
// lookup failed (the request is answered with 503); nothing attached is
// an empty Attachment.
type Lookup func(ctx context.Context, id *auth.Identity) (Attachment, error)

// WithLookup finds the policies for an identity with f instead of by its
// ID in the store, e.g. by plan or by a group attribute:
//
//	policy.WithLookup(func(ctx context.Context, id *auth.Identity) (policy.Attachment, error) {
//		return store.Get(ctx, "plan:"+id.Plan)
//	})
//
// Default: the store passed to [New], keyed by [auth.Identity] ID.
func WithLookup(f Lookup) Option { return func(a *Authorizer) { a.lookup = f } }

// WithPolicies evaluates ps for every identity, together with the
// policies attached to it in the store: a Deny here cannot be overridden,
// an Allow here applies to everyone. Default: none.
func WithPolicies(ps ...*Policy) Option {
	return func(a *Authorizer) { a.base = append(a.base, ps...) }
}

// WithAction sets how a request's action is named. Default: every request
// is [DefaultAction], "execute-api:Invoke".
func WithAction(f func(*http.Request) string) Option { return func(a *Authorizer) { a.action = f } }

// WithResource sets how a request's resource ARN is built. Default: the
// ARN method of a zero [ExecuteAPI].
func WithResource(f func(*http.Request) string) Option {
	return func(a *Authorizer) { a.resource = f }
}

// WithSourceIP sets how aws:SourceIp is found. Default: [RemoteIP], the
// address in the request's RemoteAddr. No default trusts X-Forwarded-For:
// behind proxies, pass [ForwardedFor] with their addresses. An invalid
// address leaves the key absent.
func WithSourceIP(f func(*http.Request) netip.Addr) Option {
	return func(a *Authorizer) { a.sourceIP = f }
}

// WithClock sets the source of aws:CurrentTime. Default: [time.Now].
func WithClock(now func() time.Time) Option { return func(a *Authorizer) { a.now = now } }

// WithSkip lets requests for which skip returns true through without
// authorization. Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option { return func(a *Authorizer) { a.skip = skip } }

// WithErrorHandler replaces the response to a refused request. Default:
// [auth.WriteError], an RFC 9457 problem: 401 without an identity, 403
// with code "AccessDenied" when the policies refuse, 503 when the store
// fails.
func WithErrorHandler(h auth.ErrorHandler) Option { return func(a *Authorizer) { a.onError = h } }

// New returns an Authorizer that evaluates, for each identity, the
// policies attached to its ID in store. store may be nil when
// [WithLookup] or [WithPolicies] supplies the policies.
func New(store Store, opts ...Option) (*Authorizer, error) {
	a := &Authorizer{
		lookup:   byID(store),
		action:   func(*http.Request) string { return DefaultAction },
		resource: ExecuteAPI{}.ARN,
		sourceIP: RemoteIP,
		onError:  auth.WriteError,
	}
	for _, o := range opts {
		o(a)
	}
	a.now = clock.OrReal(a.now)
	switch {
	case a.lookup == nil && len(a.base) == 0:
		return nil, errNoPolicies
	case a.action == nil || a.resource == nil || a.sourceIP == nil || a.onError == nil:
		return nil, errors.New("policy: nil option function")
	}
	return a, nil
}

// Authorize decides r for the identity in its context. The error is nil
// when the policies allow r; otherwise it matches [auth.ErrNoCredentials]
// (no identity), is a [*DeniedError], or is the store's error.
func (a *Authorizer) Authorize(r *http.Request) (Result, error) {
	ctx := r.Context()
	id, ok := auth.FromContext(ctx)
	if !ok {
		return Result{}, auth.ErrNoCredentials
	}
	var att Attachment
	var err error
	if a.lookup != nil {
		att, err = a.lookup(ctx, id)
	}
	if err != nil {
		return Result{}, err
	}
	req := Request{
		Action:      a.action(r),
		Resource:    a.resource(r),
		Identity:    id,
		SourceIP:    a.sourceIP(r),
		CurrentTime: a.now(),
	}
	res := evaluate(&req, a.base, att.Policies)
	if !res.Allowed() {
		return res, &DeniedError{Result: res}
	}
	return res, nil
}

// byID looks identities up in s by ID; a nil s makes a nil Lookup.
func byID(s Store) Lookup {
	if s == nil {
		return nil
	}
	return func(ctx context.Context, id *auth.Identity) (Attachment, error) { return s.Get(ctx, id.ID) }
}

// Middleware authorizes each request with [Authorizer.Authorize] and
// passes allowed ones to next. It must run after authentication
// ([auth.Middleware]), which puts the identity in the context.
func (a *Authorizer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.skip != nil && a.skip(r) {
			next.ServeHTTP(w, r)
			return
		}
		_, err := a.Authorize(r)
		switch {
		case err == nil:
			next.ServeHTTP(w, r)
		case errors.Is(err, ErrAccessDenied):
			a.onError(w, r, &auth.Error{
				Status:      http.StatusForbidden,
				Code:        "AccessDenied",
				Description: "The caller is not authorized to perform this action on this resource.",
				Err:         err,
			})
		default:
			a.onError(w, r, err)
		}
	})
}

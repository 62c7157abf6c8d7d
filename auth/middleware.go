package auth

import (
	"errors"
	"net/http"

	"github.com/tollgate/tollgate/internal/problem"
)

// ErrorHandler writes the response for a refused request. err is what the
// authenticator returned; see [HTTPStatus] for the status it implies.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// Option configures [NewMiddleware].
type Option func(*config)

type config struct {
	onError  ErrorHandler
	skip     func(*http.Request) bool
	optional bool
}

// WithErrorHandler replaces the default RFC 9457 problem response. Default:
// [WriteError].
func WithErrorHandler(h ErrorHandler) Option { return func(c *config) { c.onError = h } }

// WithAPIGatewayErrors answers every refusal for missing or invalid
// credentials as Amazon API Gateway does for API keys: 403 with the body
// {"message":"Forbidden"}. Failures to decide still get 503. Default: off.
func WithAPIGatewayErrors() Option { return WithErrorHandler(writeGatewayError) }

// WithSkip lets requests for which skip returns true through without
// authentication (health checks, public routes). Default: none skipped.
func WithSkip(skip func(*http.Request) bool) Option { return func(c *config) { c.skip = skip } }

// WithOptional lets requests without any credentials through anonymously,
// with no identity in the context; wrong credentials are still refused.
// Default: credentials are required.
func WithOptional() Option { return func(c *config) { c.optional = true } }

// Middleware returns middleware that authenticates each request with the
// first of authenticators whose credentials are present (see [AnyOf]) and
// stores the identity in the request context for [FromContext]. Refusals
// get an RFC 9457 problem response.
func Middleware(authenticators ...Authenticator) func(http.Handler) http.Handler {
	return NewMiddleware(AnyOf(authenticators...))
}

// NewMiddleware is [Middleware] for one authenticator with options.
func NewMiddleware(a Authenticator, opts ...Option) func(http.Handler) http.Handler {
	c := config{onError: WriteError}
	for _, o := range opts {
		o(&c)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.skip != nil && c.skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			id, err := a.Authenticate(r.Context(), r)
			if err == nil && id == nil {
				err = errNoIdentity // a buggy authenticator must not let a request through
			}
			switch {
			case err == nil:
				if n := NoteFromContext(r.Context()); n != nil {
					n.Identity = id
				}
				next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), id)))
			case c.optional && errors.Is(err, ErrNoCredentials):
				next.ServeHTTP(w, r)
			default:
				noteRefusal(NoteFromContext(r.Context()), err)
				c.onError(w, r, err)
			}
		})
	}
}

// WriteError writes err as an RFC 9457 problem response with the status
// from [HTTPStatus]. Only the code and description of an [*Error] reach
// the client, never the text of the cause.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	status := HTTPStatus(err)
	p := problem.New(status, defaultCode(status, err), "")
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Code != "" {
			p.Code = e.Code
		}
		p.Detail = e.Description
		if e.Challenge != "" {
			w.Header().Set("WWW-Authenticate", e.Challenge)
		}
	}
	problem.Write(w, p)
}

func defaultCode(status int, err error) string {
	switch {
	case status == http.StatusForbidden:
		return "forbidden"
	case errors.Is(err, ErrNoCredentials):
		return "missing_credentials"
	case status == http.StatusUnauthorized:
		return "invalid_credentials"
	}
	return "auth_unavailable"
}

func writeGatewayError(w http.ResponseWriter, r *http.Request, err error) {
	if HTTPStatus(err) == http.StatusServiceUnavailable {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", "ForbiddenException")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
}

// noteRefusal records why authentication refused a request on n, if any.
func noteRefusal(n *Note, err error) {
	if n == nil {
		return
	}
	d := DecisionUnauthenticated
	switch HTTPStatus(err) {
	case http.StatusForbidden:
		d = DecisionForbidden
	case http.StatusServiceUnavailable:
		d = DecisionUnavailable
	}
	reason := defaultCode(HTTPStatus(err), err)
	if e, ok := errors.AsType[*Error](err); ok && e.Code != "" {
		reason = e.Code
	}
	n.Decide(d, reason)
}

package apikey

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/tollgate/tollgate/auth"
)

// Source finds a key in a request; it returns "" when the request carries none.
type Source func(r *http.Request) string

// FromHeader reads the key from the named header. FromHeader("X-API-Key")
// is the default source, as in Amazon API Gateway.
func FromHeader(name string) Source {
	name = textproto.CanonicalMIMEHeaderKey(name)
	return func(r *http.Request) string {
		if v := r.Header[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
}

// FromBearer reads the key from "Authorization: Bearer <key>". It claims
// only values shaped like a generated key, so a JWT in the same header is
// left to a JWT authenticator.
func FromBearer() Source {
	return func(r *http.Request) string {
		v := r.Header["Authorization"]
		if len(v) == 0 || len(v[0]) < 7 || !strings.EqualFold(v[0][:7], "bearer ") {
			return ""
		}
		if tok := strings.TrimSpace(v[0][7:]); LooksGenerated(tok) {
			return tok
		}
		return ""
	}
}

// FromQuery reads the key from the named query parameter. Keys in URLs
// end up in access logs and browser history; use it only when a client
// cannot send headers.
func FromQuery(name string) Source {
	return func(r *http.Request) string { return r.URL.Query().Get(name) }
}

// Authenticator authenticates requests by API key; it implements
// [auth.Authenticator]. It is safe for concurrent use.
type Authenticator struct {
	m       *Manager
	sources []Source
}

var _ auth.Authenticator = (*Authenticator)(nil)

// NewAuthenticator returns an Authenticator that looks for a key in each
// source in turn. With no sources it reads the X-API-Key header.
func NewAuthenticator(m *Manager, sources ...Source) *Authenticator {
	if len(sources) == 0 {
		sources = []Source{FromHeader("X-API-Key")}
	}
	return &Authenticator{m: m, sources: sources}
}

// Authenticate implements [auth.Authenticator]. A request without a key
// gets [auth.ErrNoCredentials]; a refused key an [*auth.Error] that wraps
// both the apikey error and [auth.ErrInvalidCredentials] (or
// [auth.ErrForbidden] for a disabled key).
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	for _, src := range a.sources {
		if v := src(r); v != "" {
			e, err := a.m.verify(ctx, v)
			if err != nil {
				return nil, refusal(err)
			}
			return e.id, nil
		}
	}
	return nil, auth.ErrNoCredentials
}

// Middleware returns next behind a required key: the key's identity is
// stored for [auth.FromContext], and refusals get problem responses. For
// options such as [auth.WithAPIGatewayErrors], use [auth.NewMiddleware]
// with the Authenticator instead.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return auth.NewMiddleware(a)(next)
}

// refusals are built once: a flood of bad keys allocates nothing.
var refusals = map[error]*auth.Error{
	ErrMalformed: newRefusal(ErrMalformed, 0, "malformed_api_key", "The API key is malformed."),
	ErrUnknown:   newRefusal(ErrUnknown, 0, "invalid_api_key", "The API key is not valid."),
	ErrExpired:   newRefusal(ErrExpired, 0, "api_key_expired", "The API key has expired."),
	ErrRevoked:   newRefusal(ErrRevoked, 0, "api_key_revoked", "The API key has been revoked."),
	ErrDisabled:  newRefusal(ErrDisabled, http.StatusForbidden, "api_key_disabled", "The API key is disabled."),
}

func newRefusal(err error, status int, code, desc string) *auth.Error {
	cause := auth.ErrInvalidCredentials
	if status == http.StatusForbidden {
		cause = auth.ErrForbidden
	}
	return &auth.Error{Status: status, Code: code, Description: desc, Err: fmt.Errorf("%w: %w", err, cause)}
}

func refusal(err error) error {
	if r, ok := refusals[err]; ok {
		return r
	}
	for sentinel, r := range refusals {
		if errors.Is(err, sentinel) {
			return r
		}
	}
	return err // a store failure: the middleware answers 503
}

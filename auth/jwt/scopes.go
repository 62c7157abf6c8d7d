package jwt

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/auth"
)

// RequireScopes returns middleware that lets a request through only when
// its identity holds at least one of scopes, as an API Gateway HTTP API
// route's authorization scopes do. It runs after the authentication
// middleware; refusals are written by [auth.WriteError] (a handler with an
// error handler of its own calls [CheckScopes] instead). With no scopes
// every authenticated request passes.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	scopes = slices.Clone(scopes)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := auth.FromContext(r.Context())
			if err := CheckScopes(id, scopes...); err != nil {
				auth.WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CheckScopes returns nil when id holds at least one of scopes (or scopes
// is empty). Otherwise it returns an [*auth.Error]: 403 "insufficient_scope"
// with an RFC 6750 §3.1 challenge naming the scopes, or 401 when id is nil
// (an anonymous request let through by [auth.WithOptional]).
func CheckScopes(id *auth.Identity, scopes ...string) error {
	if len(scopes) == 0 {
		return nil
	}
	if id == nil {
		return &auth.Error{Code: "missing_credentials", Challenge: "Bearer", Err: auth.ErrNoCredentials}
	}
	if slices.ContainsFunc(scopes, id.HasScope) {
		return nil
	}
	const desc = "the token lacks the scope this resource requires"
	return &auth.Error{
		Status:      http.StatusForbidden,
		Code:        "insufficient_scope",
		Description: desc,
		Challenge: fmt.Sprintf(`Bearer error="insufficient_scope", error_description=%q, scope=%q`,
			desc, strings.Join(scopes, " ")),
		Err: fmt.Errorf("%w: %w", ErrInsufficientScope, auth.ErrForbidden),
	}
}

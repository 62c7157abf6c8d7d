package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
)

// schemeAuth is headerAuth whose missing-credentials error carries a
// challenge, as a bearer-token or SigV4 authenticator's does.
func schemeAuth(h, want, challenge string, id *auth.Identity) auth.Authenticator {
	inner := headerAuth(h, want, id)
	return auth.AuthenticatorFunc(func(ctx context.Context, r *http.Request) (*auth.Identity, error) {
		got, err := inner.Authenticate(ctx, r)
		if errors.Is(err, auth.ErrNoCredentials) {
			return nil, &auth.Error{Code: "missing_" + h, Challenge: challenge, Err: auth.ErrNoCredentials}
		}
		return got, err
	})
}

var nilAuth = auth.AuthenticatorFunc(func(context.Context, *http.Request) (*auth.Identity, error) { return nil, nil })

type combinatorCase struct {
	name     string
	authn    auth.Authenticator
	header   map[string]string
	wantID   string
	wantPlan string
	wantIs   error // nil: success
	wantCode string
	wantChal string
	status   int
}

func combinatorCases() []combinatorCase {
	a := schemeAuth("A", "a", `ApiKey realm="api"`, alice)
	b := schemeAuth("B", "b", `Bearer realm="api"`, bob)
	return []combinatorCase{
		{name: "any: first present", authn: auth.AnyOf(a, b), header: map[string]string{"A": "a"}, wantID: "alice", wantPlan: "gold"},
		{name: "any: second present", authn: auth.AnyOf(a, b), header: map[string]string{"B": "b"}, wantID: "bob"},
		{name: "any: first wrong, second right", authn: auth.AnyOf(a, b), header: map[string]string{"A": "x", "B": "b"}, wantIs: auth.ErrInvalidCredentials, wantCode: "bad_A", wantChal: `Bearer error="invalid_token"`, status: 401},
		{name: "any: first down", authn: auth.AnyOf(a, b), header: map[string]string{"A": "down", "B": "b"}, status: 503},
		{name: "any: first forbidden", authn: auth.AnyOf(a, b), header: map[string]string{"A": "banned", "B": "b"}, wantIs: auth.ErrForbidden, status: 403},
		{name: "any: none, challenges joined", authn: auth.AnyOf(a, b, a), wantIs: auth.ErrNoCredentials, wantCode: "missing_credentials", wantChal: `ApiKey realm="api", Bearer realm="api"`, status: 401},
		{name: "any: none, no challenges", authn: auth.AnyOf(headerAuth("A", "a", alice), headerAuth("B", "b", bob)), wantIs: auth.ErrNoCredentials, status: 401},
		{name: "any: empty", authn: auth.AnyOf(), wantIs: auth.ErrNoCredentials, status: 401},
		{name: "any: nil identity is refused", authn: auth.AnyOf(a, nilAuth), status: 503},
		{name: "all: both, plan from second", authn: auth.AllOf(b, a), header: map[string]string{"A": "a", "B": "b"}, wantID: "bob", wantPlan: "gold"},
		{name: "all: first plan kept", authn: auth.AllOf(a, b), header: map[string]string{"A": "a", "B": "b"}, wantID: "alice", wantPlan: "gold"},
		{name: "all: none present", authn: auth.AllOf(b, a), wantIs: auth.ErrNoCredentials, wantCode: "missing_credentials", wantChal: `Bearer realm="api", ApiKey realm="api"`, status: 401},
		{name: "all: second missing is incomplete", authn: auth.AllOf(b, a), header: map[string]string{"B": "b"}, wantIs: auth.ErrInvalidCredentials, wantCode: "incomplete_credentials", wantChal: `ApiKey realm="api"`, status: 401},
		{name: "all: first missing is incomplete", authn: auth.AllOf(b, a), header: map[string]string{"A": "a"}, wantIs: auth.ErrInvalidCredentials, wantCode: "incomplete_credentials", wantChal: `Bearer realm="api"`, status: 401},
		{name: "all: first missing, second wrong", authn: auth.AllOf(b, a), header: map[string]string{"A": "x"}, wantIs: auth.ErrInvalidCredentials, wantCode: "bad_A", wantChal: `Bearer error="invalid_token"`, status: 401},
		{name: "all: first wrong", authn: auth.AllOf(b, a), header: map[string]string{"A": "a", "B": "x"}, wantIs: auth.ErrInvalidCredentials, wantCode: "bad_B", wantChal: `Bearer error="invalid_token"`, status: 401},
		{name: "all: second forbidden", authn: auth.AllOf(b, a), header: map[string]string{"A": "banned", "B": "b"}, wantIs: auth.ErrForbidden, status: 403},
		{name: "all: second down", authn: auth.AllOf(b, a), header: map[string]string{"A": "down", "B": "b"}, status: 503},
		{name: "all: nil identity is refused", authn: auth.AllOf(a, nilAuth), header: map[string]string{"A": "a"}, status: 503},
		{name: "all: empty", authn: auth.AllOf(), wantIs: auth.ErrNoCredentials, status: 401},
		{name: "all inside any: incomplete never falls through", authn: auth.AnyOf(auth.AllOf(a, b), a), header: map[string]string{"A": "a"}, wantIs: auth.ErrInvalidCredentials, wantCode: "incomplete_credentials", wantChal: `Bearer realm="api"`, status: 401},
		{name: "all inside any: absent falls through", authn: auth.AnyOf(auth.AllOf(b, schemeAuth("C", "c", "", nil)), a), header: map[string]string{"A": "a"}, wantID: "alice", wantPlan: "gold"},
	}
}

func TestCombinators(t *testing.T) {
	for _, tt := range combinatorCases() {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			id, err := tt.authn.Authenticate(r.Context(), r)
			if tt.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, id.ID)
				assert.Equal(t, tt.wantPlan, id.Plan)
				return
			}
			require.Error(t, err)
			assert.Nil(t, id)
			assert.Equal(t, tt.status, auth.HTTPStatus(err))
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
			if tt.wantIs == auth.ErrInvalidCredentials {
				assert.NotErrorIs(t, err, auth.ErrNoCredentials, "present credentials must never fall through")
			}
			e, _ := errors.AsType[*auth.Error](err)
			if tt.wantCode != "" {
				require.NotNil(t, e)
				assert.Equal(t, tt.wantCode, e.Code)
			}
			if e != nil {
				assert.Equal(t, tt.wantChal, e.Challenge)
			}
		})
	}
}

func TestAllOfDoesNotMutateIdentity(t *testing.T) {
	a := headerAuth("A", "a", alice)
	b := headerAuth("B", "b", bob)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("A", "a")
	r.Header.Set("B", "b")
	id, err := auth.AllOf(b, a).Authenticate(r.Context(), r)
	require.NoError(t, err)
	assert.Equal(t, "gold", id.Plan)
	assert.Empty(t, bob.Plan, "the shared identity of the first authenticator is cloned, not changed")
}

func TestMiddlewareRefusesNilIdentity(t *testing.T) {
	rec := httptest.NewRecorder()
	auth.NewMiddleware(nilAuth)(http.HandlerFunc(whoami)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.NotContains(t, rec.Body.String(), "anonymous")
}

func TestOptionalRefusesIncomplete(t *testing.T) {
	h := auth.NewMiddleware(auth.AllOf(headerAuth("A", "a", alice), headerAuth("B", "b", bob)), auth.WithOptional())(http.HandlerFunc(whoami))
	for _, tt := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"nothing: anonymous", nil, 200},
		{"half: refused", map[string]string{"B": "b"}, 401},
		{"both", map[string]string{"A": "a", "B": "b"}, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			assert.Equal(t, tt.want, rec.Code)
		})
	}
}

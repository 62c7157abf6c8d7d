package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
)

// headerAuth accepts the request when header h equals want.
func headerAuth(h, want string, id *auth.Identity) auth.Authenticator {
	return auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		v := r.Header.Get(h)
		switch {
		case v == "":
			return nil, auth.ErrNoCredentials
		case v == "down":
			return nil, errors.New("store: connection refused")
		case v == "banned":
			return nil, fmt.Errorf("banned: %w", auth.ErrForbidden)
		case v != want:
			return nil, &auth.Error{Code: "bad_" + h, Description: "nope", Challenge: `Bearer error="invalid_token"`, Err: auth.ErrInvalidCredentials}
		}
		return id, nil
	})
}

var (
	alice = &auth.Identity{ID: "alice", Method: auth.MethodAPIKey, Plan: "gold"}
	bob   = &auth.Identity{ID: "bob", Method: auth.MethodJWT, Scopes: []string{"read"}}
)

func whoami(w http.ResponseWriter, r *http.Request) {
	id, ok := auth.FromContext(r.Context())
	if !ok {
		_, _ = io.WriteString(w, "anonymous")
		return
	}
	_, _ = io.WriteString(w, id.ID+"/"+id.Plan)
}

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name       string
		mw         func(http.Handler) http.Handler
		header     map[string]string
		wantStatus int
		wantBody   string
		wantCode   string
		wantChal   string
	}{
		{"first kind present", auth.Middleware(headerAuth("A", "a", alice), headerAuth("B", "b", bob)), map[string]string{"A": "a"}, 200, "alice/gold", "", ""},
		{"falls to second kind", auth.Middleware(headerAuth("A", "a", alice), headerAuth("B", "b", bob)), map[string]string{"B": "b"}, 200, "bob/", "", ""},
		{"wrong never falls through", auth.Middleware(headerAuth("A", "a", alice), headerAuth("B", "b", bob)), map[string]string{"A": "x", "B": "b"}, 401, "", "bad_A", `Bearer error="invalid_token"`},
		{"none present", auth.Middleware(headerAuth("A", "a", alice)), nil, 401, "", "missing_credentials", ""},
		{"forbidden", auth.Middleware(headerAuth("A", "a", alice)), map[string]string{"A": "banned"}, 403, "", "forbidden", ""},
		{"store down", auth.Middleware(headerAuth("A", "a", alice)), map[string]string{"A": "down"}, 503, "", "auth_unavailable", ""},
		{"optional anonymous", auth.NewMiddleware(headerAuth("A", "a", alice), auth.WithOptional()), nil, 200, "anonymous", "", ""},
		{"optional still refuses wrong", auth.NewMiddleware(headerAuth("A", "a", alice), auth.WithOptional()), map[string]string{"A": "x"}, 401, "", "bad_A", `Bearer error="invalid_token"`},
		{"skip", auth.NewMiddleware(headerAuth("A", "a", alice), auth.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/healthz" })), nil, 200, "anonymous", "", ""},
		{"all of, plan from second", auth.NewMiddleware(auth.AllOf(headerAuth("B", "b", bob), headerAuth("A", "a", alice))), map[string]string{"A": "a", "B": "b"}, 200, "bob/gold", "", ""},
		{"all of, one missing", auth.NewMiddleware(auth.AllOf(headerAuth("B", "b", bob), headerAuth("A", "a", alice))), map[string]string{"B": "b"}, 401, "", "incomplete_credentials", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.mw(http.HandlerFunc(whoami)))
			defer srv.Close()
			path := "/"
			if tt.name == "skip" {
				path = "/healthz"
			}
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.wantStatus == 200 {
				assert.Equal(t, tt.wantBody, string(body))
				return
			}
			assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.wantChal, resp.Header.Get("WWW-Authenticate"))
			var p map[string]any
			require.NoError(t, json.Unmarshal(body, &p))
			assert.Equal(t, tt.wantCode, p["code"])
			assert.NotContains(t, string(body), "connection refused", "internal error text must not leak")
		})
	}
}

func TestAPIGatewayErrors(t *testing.T) {
	h := auth.NewMiddleware(headerAuth("A", "a", alice), auth.WithAPIGatewayErrors())(http.HandlerFunc(whoami))
	for _, v := range []string{"", "wrong"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("A", v)
		h.ServeHTTP(rec, req)
		assert.Equal(t, 403, rec.Code)
		assert.JSONEq(t, `{"message":"Forbidden"}`, rec.Body.String())
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{auth.ErrNoCredentials, 401},
		{fmt.Errorf("x: %w", auth.ErrInvalidCredentials), 401},
		{auth.ErrForbidden, 403},
		{&auth.Error{Status: 403, Code: "insufficient_scope", Err: auth.ErrInvalidCredentials}, 403},
		{context.Canceled, 503},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, auth.HTTPStatus(tt.err), "%v", tt.err)
	}
}

func TestErrorMatching(t *testing.T) {
	cause := errors.New("apikey: key expired")
	err := fmt.Errorf("verify: %w", &auth.Error{Code: "key_expired", Err: fmt.Errorf("%w: %w", cause, auth.ErrInvalidCredentials)})
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	e, ok := errors.AsType[*auth.Error](err)
	require.True(t, ok)
	assert.Equal(t, "key_expired", e.Code)
}

func TestIdentity(t *testing.T) {
	id := &auth.Identity{ID: "x", Scopes: []string{"read"}, Attributes: map[string]string{"k": "v"}}
	assert.True(t, id.HasScope("read"))
	assert.False(t, id.HasScope("write"))
	c := id.Clone()
	c.Scopes[0] = "write"
	c.Attributes["k"] = "w"
	assert.Equal(t, "read", id.Scopes[0])
	assert.Equal(t, "v", id.Attributes["k"])
	_, ok := auth.FromContext(context.Background())
	assert.False(t, ok)
	_, ok = auth.FromContext(auth.NewContext(context.Background(), nil))
	assert.False(t, ok, "a nil identity is no identity")
}

func TestMiddlewareWebSocket(t *testing.T) {
	testkit.AssertWebSocket(t, auth.Middleware(headerAuth("A", "a", alice)), http.Header{"A": {"a"}})
}

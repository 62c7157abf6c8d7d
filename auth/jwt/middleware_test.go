package jwt_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/jwt"
	"github.com/tollgate/tollgate/internal/testkit"
)

func TestExtract(t *testing.T) {
	clk := fakeClock()
	v := staticVerifier(t, nil, jwt.WithClock(clk.Now), jwt.WithCookie("session"), jwt.WithQueryParam("access_token"))
	plain := staticVerifier(t, nil, jwt.WithClock(clk.Now))
	tok := mint(t, rsaA(), claims())
	tests := []struct {
		name    string
		v       *jwt.Verifier
		prepare func(r *http.Request)
		want    error // nil: authenticated
	}{
		{"bearer header", plain, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, nil},
		{"scheme is case-insensitive", plain, func(r *http.Request) { r.Header.Set("Authorization", "bearer "+tok) }, nil},
		{"no credentials", plain, func(*http.Request) {}, auth.ErrNoCredentials},
		{"other scheme is not ours", plain, func(r *http.Request) { r.Header.Set("Authorization", "Basic dTpw") }, auth.ErrNoCredentials},
		{"SigV4 is not ours", plain, func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/execute-api/aws4_request")
		}, auth.ErrNoCredentials},
		{"empty bearer", plain, func(r *http.Request) { r.Header.Set("Authorization", "Bearer ") }, jwt.ErrMalformed},
		{"cookie ignored unless enabled", plain, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "session", Value: tok}) }, auth.ErrNoCredentials},
		{"cookie", v, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "session", Value: tok}) }, nil},
		{"query ignored unless enabled", plain, func(r *http.Request) { r.URL.RawQuery = "access_token=" + tok }, auth.ErrNoCredentials},
		{"query", v, func(r *http.Request) { r.URL.RawQuery = "access_token=" + tok }, nil},
		{"header wins over cookie", v, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer garbage")
			r.AddCookie(&http.Cookie{Name: "session", Value: tok})
		}, jwt.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			tt.prepare(r)
			id, err := tt.v.Authenticate(r.Context(), r)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "user-42", id.ID)
		})
	}
}

func TestMiddlewareIntegration(t *testing.T) {
	ks := newKeyServer(t, rsaA(), ec256())
	clk := fakeClock()
	v, _ := remoteVerifier(t, ks, clk)
	mux := http.NewServeMux()
	mux.Handle("GET /orders", jwt.RequireScopes("orders:read", "orders:admin")(http.HandlerFunc(whoami)))
	mux.Handle("DELETE /orders", jwt.RequireScopes("orders:admin")(http.HandlerFunc(whoami)))
	srv := httptest.NewServer(auth.Middleware(v)(mux))
	defer srv.Close()

	good := mint(t, ec256(), claims())
	tests := []struct {
		name, method, token string
		wantStatus          int
		wantCode, wantChal  string
	}{
		{"any listed scope suffices", "GET", good, 200, "", ""},
		{"scope missing", "DELETE", good, 403, "insufficient_scope",
			`Bearer error="insufficient_scope", error_description="the token lacks the scope this resource requires", scope="orders:admin"`},
		{"expired", "GET", mint(t, rsaA(), claims("exp", epoch.Add(-time.Hour).Unix())), 401, "invalid_token",
			`Bearer error="invalid_token", error_description="the token has expired"`},
		{"no token", "GET", "", 401, "missing_credentials", "Bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+"/orders", nil)
			require.NoError(t, err)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, tt.wantStatus, resp.StatusCode, string(body))
			if tt.wantStatus == 200 {
				assert.Equal(t, "user-42", string(body))
				return
			}
			assert.Equal(t, tt.wantChal, resp.Header.Get("WWW-Authenticate"))
			var p map[string]any
			require.NoError(t, json.Unmarshal(body, &p))
			assert.Equal(t, tt.wantCode, p["code"])
			if tt.token != "" {
				assert.NotContains(t, string(body), tt.token[:20])
			}
		})
	}
}

func whoami(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	_, _ = io.WriteString(w, id.ID)
}

func TestRequireScopesAnonymous(t *testing.T) {
	h := jwt.RequireScopes("read")(http.HandlerFunc(whoami))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, "Bearer", rec.Header().Get("WWW-Authenticate"))
	assert.NoError(t, jwt.CheckScopes(nil), "no scopes required: nothing to check")
}

func TestMiddlewareWebSocket(t *testing.T) {
	clk := fakeClock()
	v := staticVerifier(t, nil, jwt.WithClock(clk.Now))
	mw := func(next http.Handler) http.Handler {
		return auth.Middleware(v)(jwt.RequireScopes("orders:read")(next))
	}
	testkit.AssertWebSocket(t, mw, http.Header{"Authorization": {"Bearer " + mint(t, rsaA(), claims())}})
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	clk := fakeClock()
	v := staticVerifier(t, nil, jwt.WithClock(clk.Now), jwt.WithLeeway(10*time.Second))
	tok := mint(t, rsaA(), claims("exp", epoch.Add(time.Minute).Unix()))
	id1, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	id2, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	assert.Same(t, id1, id2, "a repeated token is answered from the cache")

	clk.Advance(time.Minute + 5*time.Second) // past exp, within leeway
	id3, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	assert.NotSame(t, id1, id3, "the cache never answers past exp")
	clk.Advance(10 * time.Second)
	_, err = v.Verify(ctx, tok)
	assert.ErrorIs(t, err, jwt.ErrExpired)

	off := staticVerifier(t, nil, jwt.WithClock(clk.Now), jwt.WithCacheSize(0))
	tok = mint(t, rsaA(), claims("exp", clk.Now().Add(time.Hour).Unix()))
	a, err := off.Verify(ctx, tok)
	require.NoError(t, err)
	b, err := off.Verify(ctx, tok)
	require.NoError(t, err)
	assert.NotSame(t, a, b)
}

func TestCacheRespectsMaxAge(t *testing.T) {
	ctx := context.Background()
	clk := fakeClock()
	v := staticVerifier(t, nil, jwt.WithClock(clk.Now), jwt.WithLeeway(0), jwt.WithMaxAge(time.Minute))
	tok := mint(t, rsaA(), claims())
	_, err := v.Verify(ctx, tok)
	require.NoError(t, err)
	clk.Advance(time.Minute + time.Second)
	_, err = v.Verify(ctx, tok)
	assert.ErrorIs(t, err, jwt.ErrTooOld)
}

func TestIdentityMapping(t *testing.T) {
	clk := fakeClock()
	tests := []struct {
		name   string
		opts   []jwt.Option
		claims []any
		want   auth.Identity
	}{
		{"scope string", nil, nil, auth.Identity{ID: "user-42", Scopes: []string{"orders:read", "profile"}}},
		{"scp array", nil, []any{"scope", nil, "scp", []string{"a", "b"}}, auth.Identity{ID: "user-42", Scopes: []string{"a", "b"}}},
		{"scp string", nil, []any{"scope", nil, "scp", "a b"}, auth.Identity{ID: "user-42", Scopes: []string{"a", "b"}}},
		{"id and plan claims", []jwt.Option{jwt.WithIdentityClaim("client_id"), jwt.WithPlanClaim("plan"), jwt.WithAttributeClaims("tenant")},
			[]any{"client_id", "svc-7", "plan", "gold", "tenant", "acme", "scope", nil},
			auth.Identity{ID: "svc-7", Plan: "gold", Attributes: map[string]string{"tenant": "acme"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := staticVerifier(t, nil, append([]jwt.Option{jwt.WithClock(clk.Now)}, tt.opts...)...)
			id, err := v.Verify(context.Background(), mint(t, rsaA(), claims(tt.claims...)))
			require.NoError(t, err)
			assert.Equal(t, tt.want.ID, id.ID)
			assert.Equal(t, tt.want.Plan, id.Plan)
			assert.Equal(t, tt.want.Scopes, id.Scopes)
			assert.Equal(t, testIssuer, id.Attributes["iss"])
			for k, val := range tt.want.Attributes {
				assert.Equal(t, val, id.Attributes[k])
			}
		})
	}
}

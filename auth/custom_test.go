package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/testkit"
)

// tokenFunc decides by the X-Token header and counts its calls.
type tokenFunc struct{ calls atomic.Int64 }

func (f *tokenFunc) authorize(ctx context.Context, r *http.Request) (*auth.Identity, error) {
	f.calls.Add(1)
	switch tok := r.Header.Get("X-Token"); tok {
	case "good", "other-good":
		return &auth.Identity{ID: "svc-" + tok, Plan: "internal"}, nil
	case "banned":
		return nil, &auth.Error{Code: "denied", Err: auth.ErrForbidden}
	case "down":
		return nil, errors.New("idp: connection refused")
	case "slow":
		<-ctx.Done()
		return nil, fmt.Errorf("idp: %w", ctx.Err())
	}
	return nil, auth.ErrInvalidCredentials
}

func newCustom(t *testing.T, f *tokenFunc, opts ...auth.CustomOption) *auth.CustomAuthorizer {
	t.Helper()
	a, err := auth.NewCustomAuthorizer(f.authorize, append([]auth.CustomOption{auth.WithIdentitySources(auth.HeaderSource("X-Token"))}, opts...)...)
	require.NoError(t, err)
	return a
}

// cacheStep is one request in a cache scenario: the clock moves on by
// advance, then the token is presented.
type cacheStep struct {
	advance   time.Duration
	token     string
	wantID    string
	wantIs    error // with wantID "": nil means a failure to decide (503)
	wantCalls int64 // total so far
}

var cacheCases = []struct {
	name  string
	opts  []auth.CustomOption
	steps []cacheStep
}{
	{"hit within TTL, miss after", nil, []cacheStep{
		{token: "good", wantID: "svc-good", wantCalls: 1},
		{advance: 299 * time.Second, token: "good", wantID: "svc-good", wantCalls: 1},
		{advance: time.Second, token: "good", wantID: "svc-good", wantCalls: 2},
	}},
	{"keyed by source value", nil, []cacheStep{
		{token: "good", wantID: "svc-good", wantCalls: 1},
		{token: "other-good", wantID: "svc-other-good", wantCalls: 2},
		{token: "good", wantID: "svc-good", wantCalls: 2},
	}},
	{"invalid cached", nil, []cacheStep{
		{token: "guess", wantIs: auth.ErrInvalidCredentials, wantCalls: 1},
		{token: "guess", wantIs: auth.ErrInvalidCredentials, wantCalls: 1},
	}},
	{"forbidden cached", nil, []cacheStep{
		{token: "banned", wantIs: auth.ErrForbidden, wantCalls: 1},
		{advance: time.Minute, token: "banned", wantIs: auth.ErrForbidden, wantCalls: 1},
	}},
	{"backend error not cached", nil, []cacheStep{
		{token: "down", wantCalls: 1},
		{token: "down", wantCalls: 2},
	}},
	{"missing source refused without a call", nil, []cacheStep{
		{token: "", wantIs: auth.ErrNoCredentials, wantCalls: 0},
	}},
	{"custom TTL", []auth.CustomOption{auth.WithResultTTL(time.Second)}, []cacheStep{
		{token: "good", wantID: "svc-good", wantCalls: 1},
		{advance: time.Second, token: "good", wantID: "svc-good", wantCalls: 2},
	}},
	{"TTL 0 disables caching", []auth.CustomOption{auth.WithResultTTL(0)}, []cacheStep{
		{token: "good", wantID: "svc-good", wantCalls: 1},
		{token: "good", wantID: "svc-good", wantCalls: 2},
		{token: "", wantIs: auth.ErrNoCredentials, wantCalls: 2},
	}},
}

func TestCustomAuthorizerCache(t *testing.T) {
	for _, tt := range cacheCases {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1_800_000_000, 0))
			f := &tokenFunc{}
			a := newCustom(t, f, append(tt.opts, auth.WithAuthorizerClock(clk.Now))...)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				r := httptest.NewRequest("GET", "/", nil)
				if s.token != "" {
					r.Header.Set("X-Token", s.token)
				}
				id, err := a.Authenticate(r.Context(), r)
				switch {
				case s.wantID != "":
					require.NoError(t, err, "step %d", i)
					assert.Equal(t, s.wantID, id.ID, "step %d", i)
					assert.Equal(t, auth.MethodCustom, id.Method, "an empty method is filled in")
				case s.wantIs != nil:
					assert.ErrorIs(t, err, s.wantIs, "step %d", i)
				default:
					assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(err), "step %d", i)
				}
				assert.Equal(t, s.wantCalls, f.calls.Load(), "calls after step %d", i)
			}
		})
	}
}

func TestCustomAuthorizerContextErrorNotCached(t *testing.T) {
	f := &tokenFunc{}
	a := newCustom(t, f)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Token", "slow")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.Authenticate(ctx, r)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = a.Authenticate(ctx, r)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 2, f.calls.Load(), "a context error is no decision")
}

func TestCustomAuthorizerFlush(t *testing.T) {
	f := &tokenFunc{}
	a := newCustom(t, f)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Token", "good")
	for range 2 {
		_, err := a.Authenticate(r.Context(), r)
		require.NoError(t, err)
	}
	a.Flush()
	_, err := a.Authenticate(r.Context(), r)
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.calls.Load())
}

func TestCustomAuthorizerNoSources(t *testing.T) {
	f := &tokenFunc{}
	a, err := auth.NewCustomAuthorizer(f.authorize)
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	for range 2 {
		_, err := a.Authenticate(r.Context(), r)
		assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	assert.EqualValues(t, 2, f.calls.Load(), "without identity sources nothing is cached")
}

func TestCustomAuthorizerNilIdentity(t *testing.T) {
	a, err := auth.NewCustomAuthorizer(func(context.Context, *http.Request) (*auth.Identity, error) { return nil, nil })
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	_, err = a.Authenticate(r.Context(), r)
	assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(err))
}

func TestNewCustomAuthorizerErrors(t *testing.T) {
	f := (&tokenFunc{}).authorize
	tests := []struct {
		name string
		fn   auth.AuthenticatorFunc
		opts []auth.CustomOption
	}{
		{"nil func", nil, nil},
		{"negative TTL", f, []auth.CustomOption{auth.WithResultTTL(-time.Second)}},
		{"zero size", f, []auth.CustomOption{auth.WithResultCacheSize(0)}},
		{"zero source", f, []auth.CustomOption{auth.WithIdentitySources(auth.IdentitySource{})}},
		{"empty header name", f, []auth.CustomOption{auth.WithIdentitySources(auth.HeaderSource(""))}},
		{"nil func source", f, []auth.CustomOption{auth.WithIdentitySources(auth.FuncSource("x", nil))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := auth.NewCustomAuthorizer(tt.fn, tt.opts...)
			assert.Error(t, err)
			assert.Nil(t, a)
		})
	}
}

func TestIdentitySourceString(t *testing.T) {
	tests := []struct {
		src  auth.IdentitySource
		want string
	}{
		{auth.HeaderSource("authorization"), "$request.header.Authorization"},
		{auth.QuerySource("token"), "$request.querystring.token"},
		{auth.CookieSource("session"), "$request.cookie.session"},
		{auth.PathValueSource("tenant"), "$request.path.tenant"},
		{auth.FuncSource("host", func(r *http.Request) string { return r.Host }), "func:host"},
		{auth.IdentitySource{}, "invalid"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.src.String())
	}
}

// TestCustomAuthorizerMiddleware runs the authorizer behind the middleware
// on a real server, with a query and a path value source.
func TestCustomAuthorizerMiddleware(t *testing.T) {
	var calls atomic.Int64
	a, err := auth.NewCustomAuthorizer(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
		calls.Add(1)
		if r.URL.Query().Get("key") != "k-"+r.PathValue("tenant") {
			return nil, &auth.Error{Code: "bad_key", Err: auth.ErrInvalidCredentials}
		}
		return &auth.Identity{ID: r.PathValue("tenant"), Plan: "basic"}, nil
	}, auth.WithIdentitySources(auth.QuerySource("key"), auth.PathValueSource("tenant")))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/t/{tenant}/", auth.NewMiddleware(a)(http.HandlerFunc(whoami)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path, wantBody string
		wantStatus     int
		wantCalls      int64
	}{
		{"/t/acme/x?key=k-acme", "acme/basic", 200, 1},
		{"/t/acme/y?key=k-acme", "acme/basic", 200, 1},
		{"/t/globex/x?key=k-acme", "", 401, 2},
		{"/t/globex/x?key=k-acme", "", 401, 2},
		{"/t/acme/x", "", 401, 2},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tt.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			if tt.wantStatus == 200 {
				assert.Equal(t, tt.wantBody, string(body))
			}
			assert.NotContains(t, string(body), "k-acme", "no credential in a refusal")
			assert.Equal(t, tt.wantCalls, calls.Load())
		})
	}
}

func TestCustomAuthorizerWebSocket(t *testing.T) {
	a := newCustom(t, &tokenFunc{})
	testkit.AssertWebSocket(t, auth.NewMiddleware(a), http.Header{"X-Token": {"good"}})
}

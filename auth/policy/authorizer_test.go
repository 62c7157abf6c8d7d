package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/auth/policy"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/internal/testkit"
)

// userAuth authenticates the user named in X-User; none is anonymous.
var userAuth = auth.AuthenticatorFunc(func(_ context.Context, r *http.Request) (*auth.Identity, error) {
	if u := r.Header.Get("X-User"); u != "" {
		return &auth.Identity{ID: u, Method: auth.MethodCustom}, nil
	}
	return nil, auth.ErrNoCredentials
})

// failingStore is a store whose backend is down.
type failingStore struct{ policy.MemoryStore }

func (*failingStore) Get(context.Context, string) (policy.Attachment, error) {
	return policy.Attachment{}, errors.New("redis: connection refused")
}

// serve runs the authorizer behind optional authentication on a real server.
func serve(t *testing.T, a *policy.Authorizer) *httptest.Server {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv := httptest.NewServer(auth.NewMiddleware(userAuth, auth.WithOptional())(a.Middleware(ok)))
	t.Cleanup(srv.Close)
	return srv
}

func newStore(t *testing.T) *policy.MemoryStore {
	t.Helper()
	s := policy.NewMemoryStore()
	require.NoError(t, s.Put(context.Background(), "alice", policy.Attachment{Policies: []*policy.Policy{mustParse(t, stmt(
		`{"Sid":"Read","Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/GET/*"},
		 {"Sid":"NoAdmin","Effect":"Deny","Action":"*","Resource":"arn:aws:execute-api:*:*:*/*/*/admin/*"}`))}}))
	return s
}

func TestMiddleware(t *testing.T) {
	fake := clock.NewFake(noon)
	onlyLocal := mustParse(t, stmt(`{"Sid":"Local","Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"NotIpAddress":{"aws:SourceIp":["127.0.0.0/8","::1"]}}}`))
	business := mustParse(t, stmt(`{"Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T18:00:00Z"}}}`))
	a, err := policy.New(newStore(t), policy.WithPolicies(onlyLocal, business), policy.WithClock(fake.Now),
		policy.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/healthz" }))
	require.NoError(t, err)
	srv := serve(t, a)
	down, err := policy.New(&failingStore{})
	require.NoError(t, err)
	downSrv := serve(t, down)

	tests := []struct {
		name, url, method, user string
		later                   bool
		wantStatus              int
		wantCode                string
	}{
		{"allowed", srv.URL + "/pets/1", "GET", "alice", false, 200, ""},
		{"not allowed method", srv.URL + "/pets/1", "POST", "alice", false, 403, "AccessDenied"},
		{"explicit deny wins", srv.URL + "/admin/users", "GET", "alice", false, 403, "AccessDenied"},
		{"nothing attached", srv.URL + "/pets/1", "GET", "bob", false, 403, "AccessDenied"},
		{"no identity", srv.URL + "/pets/1", "GET", "", false, 401, "missing_credentials"},
		{"skipped route", srv.URL + "/healthz", "GET", "", false, 200, ""},
		{"clock past the window", srv.URL + "/pets/1", "GET", "alice", true, 403, "AccessDenied"},
		{"store down", downSrv.URL + "/pets/1", "GET", "alice", false, 503, "auth_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.Set(noon)
			if tt.later {
				fake.Advance(7 * time.Hour)
			}
			status, code, body := do(t, tt.method, tt.url, http.Header{"X-User": {tt.user}})
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantCode, code)
			assert.NotContains(t, body, "connection refused", "internal errors must not leak")
			assert.NotContains(t, body, "NoAdmin", "policy contents must not leak")
		})
	}
}

// do sends a request and returns the status, the code of a problem
// response and the body.
func do(t *testing.T, method, url string, h http.Header) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var p struct{ Code string }
	if resp.Header.Get("Content-Type") == "application/problem+json" {
		require.NoError(t, json.Unmarshal(body, &p))
	}
	return resp.StatusCode, p.Code, string(body)
}

func TestSourceIP(t *testing.T) {
	onlyTen := mustParse(t, allowIf(`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`))
	spoofed := http.Header{"X-User": {"alice"}, "X-Forwarded-For": {"10.0.0.1"}}

	a, err := policy.New(nil, policy.WithPolicies(onlyTen))
	require.NoError(t, err)
	status, _, _ := do(t, "GET", serve(t, a).URL+"/", spoofed)
	assert.Equal(t, 403, status, "X-Forwarded-For is not trusted by default")

	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	trusting, err := policy.New(nil, policy.WithPolicies(onlyTen), policy.WithSourceIP(policy.ForwardedFor(loopback...)))
	require.NoError(t, err)
	status, _, _ = do(t, "GET", serve(t, trusting).URL+"/", spoofed)
	assert.Equal(t, 200, status, "an explicitly trusted proxy's header is used")
}

func TestDeniedError(t *testing.T) {
	var got error
	a, err := policy.New(newStore(t), policy.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}))
	require.NoError(t, err)
	status, _, _ := do(t, "GET", serve(t, a).URL+"/admin/x", http.Header{"X-User": {"alice"}})
	assert.Equal(t, http.StatusTeapot, status)
	assert.ErrorIs(t, got, policy.ErrAccessDenied)
	assert.ErrorIs(t, got, auth.ErrForbidden)
	de, ok := errors.AsType[*policy.DeniedError](got)
	require.True(t, ok)
	assert.Equal(t, policy.Result{Decision: policy.ExplicitDeny, Sid: "NoAdmin"}, de.Result)
	assert.Contains(t, de.Error(), `statement "NoAdmin"`)
	assert.Equal(t, http.StatusForbidden, auth.HTTPStatus(got))
}

func TestNewValidates(t *testing.T) {
	_, err := policy.New(nil)
	assert.Error(t, err, "no store and no policies can never allow anything")
	_, err = policy.New(policy.NewMemoryStore(), policy.WithResource(nil))
	assert.Error(t, err)
	_, err = policy.New(policy.NewMemoryStore(), policy.WithClock(nil))
	assert.NoError(t, err, "a nil clock means time.Now")
}

func TestMiddlewareWebSocket(t *testing.T) {
	a, err := policy.New(newStore(t))
	require.NoError(t, err)
	testkit.AssertWebSocket(t, func(next http.Handler) http.Handler {
		return auth.Middleware(userAuth)(a.Middleware(next))
	}, http.Header{"X-User": {"alice"}})
}

func TestExecuteAPI(t *testing.T) {
	api := policy.ExecuteAPI{Region: "eu-west-1", Account: "123456789012", APIID: "api1", Stage: "prod"}
	tests := []struct{ method, target, want string }{
		{"GET", "/pets/1", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/pets/1"},
		{"POST", "/", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/POST/"},
		{"GET", "/public/../admin", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/admin"},
		{"GET", "//a//b/", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/a/b"},
		{"GET", "/a%2Fb?x=1", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/a/b"},
		{"GET", "/v1/things:batch", "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/v1/things:batch"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		assert.Equal(t, tt.want, api.ARN(r), tt.target)
	}
	r := httptest.NewRequest("GET", "/x", nil)
	assert.Equal(t, "arn:aws:execute-api:local:000000000000:tollgate/$default/GET/x", policy.ExecuteAPI{}.ARN(r))
}

func TestWithLookup(t *testing.T) {
	s := policy.NewMemoryStore()
	gold := mustParse(t, stmt(`{"Sid":"Gold","Effect":"Allow","Action":"*","Resource":"*"}`))
	require.NoError(t, s.Put(context.Background(), "plan:gold", policy.Attachment{Policies: []*policy.Policy{gold}}))
	byPlan := func(ctx context.Context, id *auth.Identity) (policy.Attachment, error) {
		if id.Plan == "down" {
			return policy.Attachment{}, errors.New("backend down")
		}
		return s.Get(ctx, "plan:"+id.Plan)
	}
	a, err := policy.New(nil, policy.WithLookup(byPlan))
	require.NoError(t, err)
	tests := []struct {
		plan    string
		want    policy.Decision
		wantErr error
	}{
		{"gold", policy.Allow, nil},
		{"silver", policy.ImplicitDeny, policy.ErrAccessDenied},
		{"down", policy.ImplicitDeny, nil},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(auth.NewContext(r.Context(), &auth.Identity{ID: "x", Plan: tt.plan}))
			res, err := a.Authorize(r)
			assert.Equal(t, tt.want, res.Decision)
			switch {
			case tt.plan == "down":
				assert.EqualError(t, err, "backend down")
				assert.Equal(t, http.StatusServiceUnavailable, auth.HTTPStatus(err))
			case tt.wantErr != nil:
				assert.ErrorIs(t, err, tt.wantErr)
			default:
				assert.NoError(t, err)
			}
		})
	}
}

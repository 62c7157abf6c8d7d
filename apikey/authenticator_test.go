package apikey_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
)

func whoami(w http.ResponseWriter, r *http.Request) {
	id, _ := auth.FromContext(r.Context())
	_, _ = io.WriteString(w, id.Attributes["owner"]+"/"+id.Plan+"/"+string(id.Method))
}

func TestMiddleware(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	good, _, err := m.Create(ctx, apikey.Params{Owner: "alice", Plan: "gold"})
	require.NoError(t, err)
	disabled, _, _ := m.Create(ctx, apikey.Params{Owner: "alice", Disabled: true})

	tests := []struct {
		name     string
		sources  []apikey.Source
		opts     []auth.Option
		req      func(r *http.Request)
		status   int
		code     string
		wantBody string
	}{
		{"x-api-key", nil, nil, func(r *http.Request) { r.Header.Set("X-API-Key", good) }, 200, "", "alice/gold/apikey"},
		{"missing", nil, nil, func(r *http.Request) {}, 401, "missing_credentials", ""},
		{"malformed", nil, nil, func(r *http.Request) { r.Header.Set("X-API-Key", "nope") }, 401, "malformed_api_key", ""},
		{"disabled is forbidden", nil, nil, func(r *http.Request) { r.Header.Set("X-API-Key", disabled) }, 403, "api_key_disabled", ""},
		{"bearer", []apikey.Source{apikey.FromBearer()}, nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+good) }, 200, "", "alice/gold/apikey"},
		{"bearer leaves JWTs alone", []apikey.Source{apikey.FromBearer()}, nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer eyJhbGciOi.eyJzdWIi.sig") }, 401, "missing_credentials", ""},
		{"query opt-in", []apikey.Source{apikey.FromQuery("api_key")}, nil, func(r *http.Request) { r.URL.RawQuery = "api_key=" + good }, 200, "", "alice/gold/apikey"},
		{"query not read by default", nil, nil, func(r *http.Request) { r.URL.RawQuery = "api_key=" + good }, 401, "missing_credentials", ""},
		{"gateway errors", nil, []auth.Option{auth.WithAPIGatewayErrors()}, func(r *http.Request) { r.Header.Set("X-API-Key", "nope") }, 403, "", `{"message":"Forbidden"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := apikey.NewAuthenticator(m, tt.sources...)
			srv := httptest.NewServer(auth.NewMiddleware(a, tt.opts...)(http.HandlerFunc(whoami)))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/v1/things", nil)
			tt.req(req)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.NotContains(t, string(body), good)
			if tt.code == "" {
				assert.Equal(t, tt.wantBody, string(body))
				return
			}
			var p map[string]any
			require.NoError(t, json.Unmarshal(body, &p))
			assert.Equal(t, tt.code, p["code"])
		})
	}
}

func TestAuthenticatorErrors(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	a := apikey.NewAuthenticator(m)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-API-Key", "short")
	_, err := a.Authenticate(ctx, r)
	assert.ErrorIs(t, err, apikey.ErrMalformed)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, 401, auth.HTTPStatus(err))
}

func TestMiddlewareWebSocket(t *testing.T) {
	m, _, _ := newManager(t)
	good, _, err := m.Create(context.Background(), apikey.Params{Owner: "alice"})
	require.NoError(t, err)
	testkit.AssertWebSocket(t, apikey.NewAuthenticator(m).Middleware, http.Header{"X-Api-Key": {good}})
}

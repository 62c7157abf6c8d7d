package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrometheusExposition(t *testing.T) {
	h, closeMeter, err := newHandler(prom.NewRegistry(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(path, key string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-API-Key", key)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get("/hello/world", "demo-key")
	assert.Equal(t, 200, status)
	assert.Equal(t, "hello, world\n", body)
	status, _ = get("/hello/world", "wrong")
	assert.Equal(t, 401, status)

	require.NoError(t, closeMeter(context.Background())) // flush: a store call to observe
	status, body = get("/metrics", "")
	require.Equal(t, 200, status)
	assert.Contains(t, body, `http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",http_route="/hello/{name}"`)
	assert.Contains(t, body, `tollgate_auth_failures_total{`)
	assert.Contains(t, body, `tollgate_auth_reason="invalid_credentials"`)
	assert.Contains(t, body, "http_server_active_requests")
	assert.Contains(t, body, "tollgate_store_duration_seconds_count{")
	assert.Contains(t, body, `tollgate_store_operation="usage.apply"`)
}

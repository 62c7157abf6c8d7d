package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/clock"
	"github.com/tollgate/tollgate/metrics"
)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestAccessLog(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		key    string
		stage  func(http.Handler) http.Handler
		status int
		want   map[string]any
	}{
		{
			name: "allowed", path: "/items/7?api_key=good-secret", key: "good-secret",
			want: map[string]any{"decision": "allowed", "key": "key-1", "plan": "gold", "auth": "apikey",
				"route": "GET /items/{id}", "status": 200.0, "bytes_out": 4.0, "path": "/items/7", "latency": 30e6},
		},
		{
			name: "unauthenticated", path: "/items/7", key: "wrong-secret",
			want: map[string]any{"decision": "unauthenticated", "reason": "invalid_api_key", "key": "", "status": 401.0, "route": ""},
		},
		{
			name: "throttled by a later stage", path: "/items/7", key: "good-secret",
			stage: func(http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					auth.NoteFromContext(r.Context()).Decide(auth.DecisionQuota, "daily_quota")
					w.WriteHeader(http.StatusTooManyRequests)
				})
			},
			want: map[string]any{"decision": "quota", "reason": "daily_quota", "key": "key-1", "status": 429.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			rc, _ := newRecorder(t, metrics.WithAccessLog(slog.New(slog.NewJSONHandler(&buf, nil))), metrics.WithClock(clk.Now))
			h := stack(rc, clk)
			if tt.stage != nil {
				h = rc.Middleware(auth.Middleware(keyAuth)(tt.stage(nil)))
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			req.Header.Set("X-API-Key", tt.key)
			req.Header.Set("Authorization", "Bearer token-secret")
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()

			line := buf.String()
			assert.Equal(t, 1, strings.Count(line, "\n"), "one line per request")
			assert.NotContains(t, line, "secret", "no credential reaches the log")
			var got map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
			assert.Equal(t, "request", got["msg"])
			assert.Equal(t, "127.0.0.1", got["remote"])
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
		})
	}
}

func TestAccessLogDisabledLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rc, _ := newRecorder(t, metrics.WithAccessLog(logger))
	rc.Middleware(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	assert.Empty(t, buf.String())
}

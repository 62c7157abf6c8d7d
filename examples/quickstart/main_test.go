package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart runs the program as a user would and replays the curl
// lines it prints.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", "memory", &out) }()

	var base, key string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`listening on (\S+)[\s\S]*?\n  (tg_demo_\w+)`).FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		base, key = m[1], m[2]
		return true
	}, 10*time.Second, 10*time.Millisecond)

	tests := []struct {
		path, key string
		status    int
		body      string
	}{
		{"/v1/hello", key, 200, `"plan":"demo"`},
		{"/v1/hello", "", 401, `"code":"missing_credentials"`},
		{"/v1/hello", key[:len(key)-1] + "x", 401, `"code":"malformed_api_key"`},
		{"/healthz", "", 200, "ok"},
		{"/metrics", "", 200, "http_server_request_duration_seconds"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", base+tt.path, nil)
		if tt.key != "" {
			req.Header.Set("X-API-Key", tt.key)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, tt.status, resp.StatusCode, tt.path)
		assert.Contains(t, string(body), tt.body)
	}
	assert.Contains(t, out.String(), "curl -i "+base+"/v1/hello -H 'X-API-Key: "+key+"'")
	assertBurst(t, base, key)
	cancel()
	require.NoError(t, <-done)
}

// assertBurst checks what the printed loop shows: the burst passes, then
// 429 with Retry-After. It sends up to 20 requests, so a slow machine that
// refills a token or two meanwhile still reaches the refusal.
func assertBurst(t *testing.T, base, key string) {
	t.Helper()
	var codes []int
	var retryAfter string
	for range 20 {
		req, _ := http.NewRequest("GET", base+"/v1/hello", nil)
		req.Header.Set("X-API-Key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			retryAfter = resp.Header.Get("Retry-After")
			break
		}
	}
	assert.Contains(t, codes, http.StatusTooManyRequests, "past the burst of 5: %v", codes)
	assert.GreaterOrEqual(t, len(codes), 5, "the burst of 5 (one spent already) passed first: %v", codes)
	assert.Equal(t, http.StatusOK, codes[0])
	assert.Equal(t, "1", retryAfter)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.buf.String())
}

// TestQuickstartSQLite runs the program twice on one SQLite file: the key
// printed by the first run still works in the second, which makes none.
func TestQuickstartSQLite(t *testing.T) {
	spec := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
	start := func() (base string, stop func(), out *syncBuffer) {
		ctx, cancel := context.WithCancel(context.Background())
		out = &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, "127.0.0.1:0", spec, out) }()
		require.Eventually(t, func() bool {
			m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(out.String())
			if m != nil {
				base = m[1]
			}
			return m != nil
		}, 10*time.Second, 10*time.Millisecond)
		return base, func() { cancel(); require.NoError(t, <-done) }, out
	}
	base, stop, out := start()
	key := regexp.MustCompile(`\n  (tg_demo_\w+)`).FindStringSubmatch(out.String())[1]
	assert.Equal(t, 200, get(t, base, key))
	stop()

	base, stop, out = start()
	defer stop()
	assert.Contains(t, out.String(), "Keeping the demo key")
	assert.NotContains(t, out.String(), key)
	assert.Equal(t, 200, get(t, base, key), "the key survived the restart")
}

func get(t *testing.T, base, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/v1/hello", nil)
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

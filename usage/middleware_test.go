package usage_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/testkit"
	"github.com/tollgate/tollgate/usage"
)

// noted puts an auth.Note in the context, as the outermost observer does.
func noted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, _ = auth.WithNote(r)
		next.ServeHTTP(w, r)
	})
}

// routeToNote copies the matched pattern into the Note, as a shim around
// the ServeMux does when other middleware copies the request in between.
func routeToNote(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if n := auth.NoteFromContext(r.Context()); n != nil {
			n.Route = r.Pattern
		}
	})
}

func TestMiddlewareRecords(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /docs/{id}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b[:4])
	})
	mux.HandleFunc("GET /empty", func(http.ResponseWriter, *http.Request) {})
	tests := []struct {
		name      string
		chain     func(m *usage.Meter) http.Handler
		method    string
		path      string
		body      io.Reader
		wantKey   string
		wantRoute string
		wantIn    int64
		wantOut   int64
	}{
		{
			name:   "inside auth, around the mux",
			chain:  func(m *usage.Meter) http.Handler { return auth.Middleware(keyAuth)(m.Middleware(mux)) },
			method: "PUT", path: "/docs/1", body: strings.NewReader("hello world"),
			wantKey: "k", wantRoute: "PUT /docs/{id}", wantIn: 11, wantOut: 4,
		},
		{
			name: "outside auth, through a Note",
			chain: func(m *usage.Meter) http.Handler {
				return noted(m.Middleware(auth.Middleware(keyAuth)(routeToNote(mux))))
			},
			method: "PUT", path: "/docs/1", body: io.MultiReader(strings.NewReader("chunked "), strings.NewReader("body")),
			wantKey: "k", wantRoute: "PUT /docs/{id}", wantIn: 12, wantOut: 4,
		},
		{
			name:   "empty response counts as 200",
			chain:  func(m *usage.Meter) http.Handler { return auth.Middleware(keyAuth)(m.Middleware(mux)) },
			method: "GET", path: "/empty", wantKey: "k", wantRoute: "GET /empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := usage.NewMemoryStore()
			m := newMeter(t, store)
			srv := httptest.NewServer(tt.chain(m))
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, tt.body)
			require.NoError(t, err)
			req.Header.Set("X-Key", "k")
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			require.NoError(t, m.Flush(context.Background()))

			got, rows := total(t, store)
			require.Len(t, rows, 1)
			assert.Equal(t, tt.wantKey, rows[0].Key)
			assert.Equal(t, "basic", rows[0].Plan)
			assert.Equal(t, tt.wantRoute, rows[0].Route)
			assert.Equal(t, tt.method, rows[0].Method)
			assert.Equal(t, usage.Counters{Requests: 1, BytesIn: tt.wantIn, BytesOut: tt.wantOut, Latency: got.Latency}, got)
			assert.Positive(t, got.Latency)
		})
	}
}

func TestMiddlewareSkip(t *testing.T) {
	store := usage.NewMemoryStore()
	m := newMeter(t, store, usage.WithSkip(func(r *http.Request) bool { return r.URL.Path == "/healthz" }))
	h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, p := range []string{"/healthz", "/work"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	require.NoError(t, m.Flush(context.Background()))
	got, _ := total(t, store)
	assert.EqualValues(t, 1, got.Requests)
}

func TestMiddlewareWebSocket(t *testing.T) {
	store := usage.NewMemoryStore()
	m := newMeter(t, store)
	testkit.AssertWebSocket(t, m.Middleware, nil)
	// The server's handler returns after the client has gone.
	assert.Eventually(t, func() bool {
		require.NoError(t, m.Flush(context.Background()))
		got, rows := total(t, store)
		return got.Requests == 1 && rows[0].Method == "GET"
	}, 5*time.Second, time.Millisecond)
}

// TestMiddlewareAllocs guards the budget: metering an existing bucket
// allocates nothing.
func TestMiddlewareAllocs(t *testing.T) {
	m := newMeter(t, usage.NewMemoryStore())
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	h := m.Middleware(next)
	req := httptest.NewRequest("GET", "/", nil)
	req = req.WithContext(auth.NewContext(req.Context(), &auth.Identity{ID: "k", Plan: "p"}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	bare := testing.AllocsPerRun(100, func() { next.ServeHTTP(w, req) })
	assert.Equal(t, bare, testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) }))
}

package httpwrap

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/internal/testkit"
)

// wrapMiddleware wraps the writer and, if got is not nil, sends the
// recorded status on it once the handler returns.
func wrapMiddleware(got chan<- int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := Get(w)
			defer Put(ww)
			next.ServeHTTP(ww, r)
			if got != nil {
				got <- ww.Status()
			}
		})
	}
}

func TestWriterRecords(t *testing.T) {
	tests := []struct {
		name       string
		handler    func(w http.ResponseWriter)
		wantStatus int
		wantBytes  int64
	}{
		{"nothing", func(w http.ResponseWriter) {}, 0, 0},
		{"implicit 200", func(w http.ResponseWriter) { _, _ = w.Write([]byte("hello")) }, 200, 5},
		{"explicit", func(w http.ResponseWriter) { w.WriteHeader(404); _, _ = io.WriteString(w, "no") }, 404, 2},
		{"informational skipped", func(w http.ResponseWriter) { w.WriteHeader(103); w.WriteHeader(201) }, 201, 0},
		{"first status wins", func(w http.ResponseWriter) { w.WriteHeader(500); w.WriteHeader(200) }, 500, 0},
		{"read from", func(w http.ResponseWriter) { _, _ = w.(io.ReaderFrom).ReadFrom(strings.NewReader("abcdef")) }, 200, 6},
		{"flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := Get(rec)
			defer Put(w)
			tt.handler(w)
			assert.Equal(t, tt.wantStatus, w.Status())
			assert.Equal(t, tt.wantBytes, w.Bytes())
			assert.Same(t, rec, w.Unwrap())
		})
	}
}

func TestWriterFlushStreams(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(wrapMiddleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "second\n")
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err, "flushed line must arrive before the handler returns")
	assert.Equal(t, "first\n", line)
	close(release)
}

func TestWriterHijack(t *testing.T) {
	status := make(chan int, 1)
	srv := httptest.NewServer(wrapMiddleware(status)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nraw")
		_ = brw.Flush()
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "raw", string(body))
	assert.Equal(t, http.StatusSwitchingProtocols, <-status)
}

func TestWriterHijackUnsupported(t *testing.T) {
	w := Get(httptest.NewRecorder())
	defer Put(w)
	_, _, err := w.Hijack()
	assert.True(t, errors.Is(err, http.ErrNotSupported), "got %v", err)
	assert.False(t, w.Hijacked())
}

func TestWriterWebSocket(t *testing.T) {
	testkit.AssertWebSocket(t, wrapMiddleware(nil), nil)
}

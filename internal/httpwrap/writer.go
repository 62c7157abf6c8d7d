// Package httpwrap records the status and size of a response while keeping
// the optional interfaces of the ResponseWriter it wraps.
//
// It does not use httpsnoop: httpsnoop.Wrap costs several allocations per
// request (see BenchmarkWrap), while a pooled [Writer] costs none, which the
// metering and facade budgets need. Writer always offers Flush, Hijack and
// ReadFrom and forwards them through [http.ResponseController], so a
// wrapped writer upgrades to WebSocket and streams like the one it wraps;
// on a writer that cannot hijack (HTTP/2), Hijack returns an error that
// matches [http.ErrNotSupported].
package httpwrap

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
)

// Writer wraps an http.ResponseWriter and records the final status code and
// the number of body bytes written. Get one with [Get] and give it back
// with [Put] once the handler has returned. It is not safe for concurrent
// use, as a ResponseWriter is not.
type Writer struct {
	rw       http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool
}

var pool = sync.Pool{New: func() any { return new(Writer) }}

// Get returns a Writer wrapping w.
func Get(w http.ResponseWriter) *Writer {
	ww := pool.Get().(*Writer)
	ww.rw = w
	return ww
}

// Put resets w and returns it to the pool. w must not be used afterwards.
func Put(w *Writer) {
	*w = Writer{}
	pool.Put(w)
}

// Status returns the final status code sent, 200 if the handler wrote a
// body without calling WriteHeader, 101 after a hijack, and 0 if nothing
// has been sent yet.
func (w *Writer) Status() int { return w.status }

// Bytes returns the number of body bytes written through w.
func (w *Writer) Bytes() int64 { return w.bytes }

// Hijacked reports whether the connection was taken over.
func (w *Writer) Hijacked() bool { return w.hijacked }

// Unwrap returns the wrapped writer, for [http.ResponseController].
func (w *Writer) Unwrap() http.ResponseWriter { return w.rw }

// Header returns the wrapped writer's header map.
func (w *Writer) Header() http.Header { return w.rw.Header() }

// WriteHeader records code unless it is informational (1xx), which does not
// end the header phase.
func (w *Writer) WriteHeader(code int) {
	if w.status == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.rw.WriteHeader(code)
}

// Write writes b and counts it.
func (w *Writer) Write(b []byte) (int, error) {
	w.implicitOK()
	n, err := w.rw.Write(b)
	w.bytes += int64(n)
	return n, err
}

// WriteString writes s and counts it, without copying when the wrapped
// writer is an [io.StringWriter].
func (w *Writer) WriteString(s string) (int, error) {
	w.implicitOK()
	n, err := io.WriteString(w.rw, s)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom copies src to the response, using the wrapped writer's ReadFrom
// (sendfile on a plain connection) when it has one.
func (w *Writer) ReadFrom(src io.Reader) (int64, error) {
	w.implicitOK()
	var n int64
	var err error
	if rf, ok := w.rw.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{w.rw}, src)
	}
	w.bytes += n
	return n, err
}

// Flush sends buffered data to the client, if the wrapped writer can.
func (w *Writer) Flush() { _ = w.FlushError() }

// FlushError is Flush that reports failure, as [http.ResponseController] expects.
func (w *Writer) FlushError() error {
	w.implicitOK()
	return http.NewResponseController(w.rw).Flush()
}

// Hijack takes over the connection, if the wrapped writer allows it.
func (w *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil {
		w.hijacked = true
		if w.status == 0 {
			w.status = http.StatusSwitchingProtocols
		}
	}
	return conn, brw, err
}

func (w *Writer) implicitOK() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
}

// writerOnly hides ReadFrom so io.Copy cannot recurse into it.
type writerOnly struct{ io.Writer }

var (
	_ http.Flusher    = (*Writer)(nil)
	_ http.Hijacker   = (*Writer)(nil)
	_ io.ReaderFrom   = (*Writer)(nil)
	_ io.StringWriter = (*Writer)(nil)
)

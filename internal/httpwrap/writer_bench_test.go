package httpwrap

import (
	"net/http"
	"testing"

	"github.com/felixge/httpsnoop"
)

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}

var body = []byte("hello")

// BenchmarkWrap compares the pooled Writer with httpsnoop recording the
// same status and byte count.
func BenchmarkWrap(b *testing.B) {
	d := &discard{h: http.Header{}}
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d.WriteHeader(200)
			_, _ = d.Write(body)
		}
	})
	b.Run("httpwrap", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := Get(d)
			w.WriteHeader(200)
			_, _ = w.Write(body)
			Put(w)
		}
	})
	b.Run("httpsnoop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var status int
			var n int64
			w := httpsnoop.Wrap(d, httpsnoop.Hooks{
				WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
					return func(code int) { status = code; next(code) }
				},
				Write: func(next httpsnoop.WriteFunc) httpsnoop.WriteFunc {
					return func(p []byte) (int, error) { c, err := next(p); n += int64(c); return c, err }
				},
			})
			w.WriteHeader(200)
			_, _ = w.Write(body)
			_, _ = status, n
		}
	})
}

package usage

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/httpwrap"
)

// Middleware meters each request: its identity and plan (from
// [auth.FromContext], or from an [auth.Note] when the meter sits outside
// the authentication middleware), route pattern (the Note's, or
// [http.Request.Pattern] when the meter wraps the ServeMux directly),
// method, status, body bytes in and out, and latency. The record is
// aggregated in memory; the request never waits on the store.
func (m *Meter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.cfg.skip != nil && m.cfg.skip(r) {
			next.ServeHTTP(w, r)
			return
		}
		start := m.start()
		ww := httpwrap.Get(w)
		body, restore := countBody(r)
		next.ServeHTTP(ww, r)
		rec := Record{Method: r.Method, Status: ww.Status(), BytesOut: ww.Bytes(), Time: start}
		rec.Latency = m.elapsed(start)
		httpwrap.Put(ww)
		rec.BytesIn = bodyBytes(r, body, restore)
		fillIdentity(r, &rec)
		m.Record(rec)
	})
}

// fillIdentity sets the key, plan and route of rec from the request.
func fillIdentity(r *http.Request, rec *Record) {
	if rec.Status == 0 {
		rec.Status = http.StatusOK // net/http sends 200 for an empty response
	}
	rec.Route = r.Pattern
	note := auth.NoteFromContext(r.Context())
	id, ok := auth.FromContext(r.Context())
	if note != nil {
		if note.Route != "" {
			rec.Route = note.Route
		}
		if !ok && note.Identity != nil {
			id, ok = note.Identity, true
		}
	}
	if ok {
		rec.Key, rec.Plan = id.ID, id.Plan
	}
}

// countingBody counts the bytes read from a request body of unknown
// length. Pooled: net/http forbids reading a body after the handler
// returns, so it cannot be used once given back.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

var bodyPool = sync.Pool{New: func() any { return new(countingBody) }}

// countBody wraps r.Body in a counter when its length is not known in
// advance (chunked uploads); otherwise the Content-Length is the count.
func countBody(r *http.Request) (*countingBody, io.ReadCloser) {
	if r.ContentLength >= 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	c := bodyPool.Get().(*countingBody)
	c.ReadCloser, c.n = r.Body, 0
	orig := r.Body
	r.Body = c
	return c, orig
}

// bodyBytes returns the request body size and undoes countBody.
func bodyBytes(r *http.Request, c *countingBody, orig io.ReadCloser) int64 {
	if c == nil {
		return max(r.ContentLength, 0)
	}
	r.Body = orig
	n := c.n
	*c = countingBody{}
	bodyPool.Put(c)
	return n
}

// start returns the time a request starts. With the real clock it reads
// only the monotonic clock, as an offset from an epoch the flush loop
// refreshes: on some virtual machines reading the wall clock costs
// several times more, and the wall time is only needed to the bucket.
func (m *Meter) start() time.Time {
	if !m.cfg.realClock {
		return m.cfg.now()
	}
	epoch := m.epoch.Load()
	return epoch.Add(time.Since(*epoch))
}

// elapsed returns the time since start, on the monotonic clock when start
// came from it.
func (m *Meter) elapsed(start time.Time) time.Duration {
	if !m.cfg.realClock {
		return m.cfg.now().Sub(start)
	}
	return time.Since(start)
}

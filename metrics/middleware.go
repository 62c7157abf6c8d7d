package metrics

import (
	"context"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/tollgate/tollgate/auth"
	"github.com/tollgate/tollgate/internal/httpwrap"
)

type activeKey struct{ method, scheme string }

func (k activeKey) attrs() []attribute.KeyValue {
	return []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(k.method), semconv.URLSchemeKey.String(k.scheme)}
}

type durKey struct {
	activeKey
	route  string
	status int
}

func (k durKey) attrs() []attribute.KeyValue {
	a := append(k.activeKey.attrs(), semconv.HTTPResponseStatusCodeKey.Int(k.status))
	if k.route != "" {
		a = append(a, semconv.HTTPRouteKey.String(k.route))
	}
	if k.status >= 500 {
		a = append(a, keyErrorType.String(statusText(k.status)))
	}
	return a
}

// Middleware measures each request with the HTTP server semantic
// conventions (http.server.request.duration with method, scheme, route
// and status; http.server.active_requests) and writes the access log line
// when [WithAccessLog] is set.
//
// It puts an [auth.Note] in the request context (or uses one already
// there) so the stages inside it can report the identity, the route
// pattern and their decision; place it outermost. The route is the
// Note's, else the [net/http.Request.Pattern] the ServeMux set when this
// middleware wraps it directly.
func (rc *Recorder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc.cfg.skip != nil && rc.cfg.skip(r) {
			next.ServeHTTP(w, r)
			return
		}
		start := rc.cfg.now()
		r, note := auth.WithNote(r)
		ctx := r.Context()
		ak := activeKey{normMethod(r.Method), scheme(r)}
		active := rc.activeOpts.get(ak).add
		rc.active.Add(ctx, 1, active...)
		defer rc.active.Add(ctx, -1, active...) // even if next panics
		ww := httpwrap.Get(w)
		next.ServeHTTP(ww, r)

		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		if note.Route == "" {
			note.Route = r.Pattern
		}
		elapsed := rc.since(start)
		rc.recordDuration(ctx, durKey{ak, pathTemplate(note.Route), status}, note, elapsed)
		if rc.cfg.logger != nil {
			rc.logAccess(ctx, r, note, status, ww.Bytes(), elapsed)
		}
		httpwrap.Put(ww)
	})
}

func (rc *Recorder) recordDuration(ctx context.Context, k durKey, note *auth.Note, d time.Duration) {
	if !rc.duration.Enabled(ctx) {
		return
	}
	if rc.cfg.keyID && note.Identity != nil {
		attrs := append(k.attrs(), KeyKeyID.String(note.Identity.ID))
		rc.duration.Record(ctx, d.Seconds(), metric.WithAttributes(attrs...))
		return
	}
	rc.duration.Record(ctx, d.Seconds(), rc.durOpts.get(k).rec...)
}

// pathTemplate is the path part of a ServeMux pattern, as semantic
// conventions want http.route: "GET example.com/items/{id}" becomes
// "/items/{id}".
func pathTemplate(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}

// since returns the time elapsed since start; with the real clock it reads
// only the monotonic clock, which costs a third of time.Now on some VMs.
func (rc *Recorder) since(start time.Time) time.Duration {
	if rc.cfg.realClock {
		return time.Since(start)
	}
	return rc.cfg.now().Sub(start)
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// CaptureRoute wraps the handler that routes (a [net/http.ServeMux]) and,
// once it has served a request, copies the matched pattern into the
// request's [auth.Note]. Use it when middleware between
// [Recorder.Middleware] and the ServeMux copies the request, as the
// authentication middleware does, so the route still reaches the metrics
// and the access log.
func CaptureRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if n := auth.NoteFromContext(r.Context()); n != nil && r.Pattern != "" {
			n.Route = r.Pattern
		}
	})
}

// Package metrics measures a tollgate-protected API with OpenTelemetry,
// as API Gateway's CloudWatch metrics measure an API, and writes its
// access log.
//
// # Requests
//
// [Recorder.Middleware] records the HTTP server semantic conventions:
// http.server.request.duration, a histogram in seconds with the
// conventions' bucket boundaries and the attributes http.request.method
// (unknown methods as _OTHER), url.scheme, http.route (the path part of
// the ServeMux pattern, as otelhttp reports it),
// http.response.status_code and, for 5xx, error.type; and
// http.server.active_requests. Measurements go to the MeterProvider of
// [WithMeterProvider], by default the OpenTelemetry global one; export
// them with any OpenTelemetry exporter, such as the Prometheus exporter
// in examples/metrics.
//
// # Decisions
//
// The stages of a chain report their refusals through a Recorder:
// [Recorder.AuthFailure] (tollgate.auth.failures by method and reason),
// [Recorder.Throttled] (tollgate.ratelimit.throttled),
// [Recorder.QuotaExceeded] (tollgate.quota.exceeded), both by plan, and
// [Recorder.StoreCall] (tollgate.store.duration and tollgate.store.errors
// by operation). The key ID, a high-cardinality attribute, is added only
// with [WithKeyID]. [WithSpanEvents] adds an event per refusal to the
// active span.
//
// Every method is safe on a nil *Recorder, and none allocates once its
// attribute set has been seen: attribute sets are built once and cached.
//
// # Access log
//
// With [WithAccessLog] the middleware writes one [log/slog] line per
// request: method, path (never the query string), route, status,
// decision and reason, key ID, plan and authentication method, latency,
// bytes in and out, and the peer address. No header value is logged, so
// API keys, signatures and tokens never reach the log.
//
// The access log lives in this package, in the same middleware as the
// request metrics, because both need the same response writer wrapper,
// clock readings, route and decision; a separate middleware would pay for
// them twice.
//
// # The request Note
//
// An outer middleware cannot see the contexts derived below it, so the
// middleware puts an [auth.Note] in the request context ([auth.WithNote],
// one allocation plus the request copy) and reads it back once the
// request is served. The authentication middleware fills in the identity
// and, on refusal, the decision; other stages call
// auth.NoteFromContext(ctx).Decide(auth.DecisionThrottled, reason); and
// [CaptureRoute] around the ServeMux sets Note.Route from the request's
// Pattern.
// When no stage decided, the decision is inferred from the status.
package metrics

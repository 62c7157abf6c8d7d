// Package usage meters every request an API serves, per key, plan, route
// and time bucket, and reports it for billing, as Amazon API Gateway's
// usage plans do: without slowing the request path and without losing a
// request.
//
// # Metering
//
// [Meter.Middleware] takes one [Record] per request (identity ID and plan,
// route pattern, method, status, body bytes in and out, latency, time)
// and hands it to [Meter.Record], which adds it to an in-memory aggregate
// keyed by (key, plan, route, method, bucket). Records pick one of several
// shards at random, so no lock is shared by every request, and a bucket
// already held costs no allocation. The request never waits on the
// [Store].
//
// Place the middleware inside the authentication middleware so it sees
// the identity, and around the [net/http.ServeMux] so it sees
// [net/http.Request.Pattern]. Placed further out, it reads both from an
// [auth.Note] that inner stages fill in.
//
// # Flushing
//
// A background goroutine flushes the aggregate as one [Batch] every
// interval ([WithFlushInterval]) or sooner when it grows
// ([WithFlushSize]). Each batch has a UUID. A batch the store refuses is
// kept and retried, with backoff and the same ID, and the store's contract
// makes a batch ID applied before a no-op: delivery is at least once and
// counting exactly once. [Meter.Close] flushes what is left.
//
// Memory is bounded by [WithMaxBuckets]. When the bound is reached,
// buckets already held keep counting, and records that would need a new
// bucket are dropped: counted in [Meter.Stats], exported as the
// tollgate.usage.dropped metric and logged, never lost silently.
//
// After each batch, keys' last-used times go to a [LastUsedRecorder] (the
// API key store), once per batch rather than once per request.
//
// # Reports
//
// A [Reporter] reads a Store: [Reporter.GetUsage] gives a key's usage per
// hour, day or month with the remaining quota from a [QuotaLookup],
// [Reporter.ByRoute] breaks usage down by route, [Reporter.TopConsumers]
// ranks keys, and [Reporter.Export] writes CSV or JSON for billing.
//
// # Stores
//
// [MemoryStore] keeps usage in process. Other stores implement [Store]
// and prove it with the conformance suite in package usagetest.
package usage

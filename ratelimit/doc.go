// Package ratelimit throttles requests per key, as Amazon API Gateway's
// throttling does (a steady rate plus a burst, per key, per route and for
// the whole account), exactly, without allocating, and with the response
// header fields of the IETF RateLimit draft.
//
// # Limits and algorithms
//
// A [Limit] is Quota units per Period. [PerSecond] is API Gateway's
// throttle (rate and burst); [PerMinute], [PerHour], [PerDay] and [Every]
// cover other periods. Four algorithms count:
//
//   - [GCRA] (the default) and [TokenBucket] keep a bucket of Burst units
//     refilled continuously at the rate: over T seconds at rate r and
//     burst b exactly b + r·T requests pass. GCRA keeps one int64, the
//     theoretical arrival time, in nanoseconds.
//   - [SlidingWindow] approximates a window that slides with two counters;
//     see its documentation for the error bound.
//   - [FixedWindow] counts per window aligned to the Unix epoch.
//
// A take may cost more than one unit. [Limit.Apply] holds the whole
// arithmetic, which a store that keeps state elsewhere can reuse.
//
// A limit may change while keys are live (a plan is upgraded): the next
// take applies the new limit to the old state. GCRA keeps its debt as
// time, so a raised rate frees units as that time runs off, and a deeper
// burst at once; the token bucket keeps its deficit in units, clamped to
// a shallower bucket; windows keep their counts, and a new period starts
// new windows.
//
// # Limiter
//
// A [Limiter] applies a [Policy], several limits that must all admit a
// take (10 per second with a burst of 20 and 1000 per hour, say), to keys,
// keeping counters in a [Store]; a take is refused with the longest wait
// among the limits that refuse it. [Limiter.Take] and [Limiter.Allow] work
// without HTTP, for WebSocket messages, RPCs or jobs; [Limiter.TakePolicy]
// takes from a policy chosen by the caller. A [Limit] marked Global
// counts all callers together, as API Gateway's account-level limit does.
//
// # Middleware
//
// [Limiter.Middleware] keys each request ([KeyByIdentity] by default;
// [KeyByIP], [KeyByHeader], [KeyByRoute], [FirstOf], [Join]), picks its
// policy ([WithPolicyFunc] per request, e.g. by usage plan, then
// [WithRoute] overrides, then the limiter's own limits) and takes one unit
// ([WithCost] changes that). Every response it counts carries
//
//	RateLimit-Policy: second;q=20;w=2, hour;q=1000;w=3600
//	RateLimit: second;r=19;t=1
//
// as draft-ietf-httpapi-ratelimit-headers-11 specifies: the policy field
// lists every limit, the RateLimit field the one with the fewest units
// left. A refusal is a 429 RFC 9457 problem with Retry-After, the whole
// seconds until the request would pass. [WithShadow] counts and reports
// without refusing; [WithLegacyHeaders] adds X-RateLimit-*;
// [WithFailPolicy] decides what a store failure does.
//
// # Client addresses
//
// [KeyByIP] uses the connection's address unless trusted proxies are
// named; then it reads Forwarded or X-Forwarded-For from the right, where
// only the proxies write, so a client cannot choose its key.
//
// # Stores
//
// A [Store] makes one atomic operation per request: take from every
// counter of a key, or from none ([TakeRequest.Apply] holds the
// arithmetic, for stores that keep state elsewhere). The request carries
// the limits and the time, so a Redis store can run it as one script and
// a SQL store as one transaction; a remote store may use its own clock.
// [MemoryStore] keeps counters in sharded maps, takes without allocating,
// and bounds its memory (see its documentation for the eviction policy);
// a key's GCRA counter is taken without a lock, by compare-and-swap, and a
// [Limiter] over a MemoryStore reads only the monotonic clock: one hot key
// costs about two thirds of golang.org/x/time/rate's Limiter.Allow.
// Package ratelimittest checks any Store against the contract.
//
// [NewFallbackStore] wraps a shared store (Redis, a database) with a
// local one, typically a [MemoryStore], that takes over while the shared
// store fails: each instance then keeps throttling on its own rather than
// letting the limiter's fail policy admit or refuse everything, and
// [FallbackStore.Fallbacks] counts those takes for metrics.
// [FallbackStore.TakeWith] keeps that fallback for a caller that reaches
// the shared store its own way (tollgate's Gate, deciding limits and
// quota in one call).
package ratelimit

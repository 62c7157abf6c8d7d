// Package redisstore keeps tollgate's state in Redis, so every instance of
// a service shares its API keys, quotas and limits. It works over any
// go-redis [redis.UniversalClient]: a single server, Sentinel, or Redis
// Cluster. It needs Redis 6.2 or later.
//
// # Stores
//
// [New] wraps a client; each store is taken from the result:
//
//   - [Store.APIKeys]: an [apikey.Store], with change notifications
//     ([APIKeyStore.Subscribe]).
//   - [Store.RateLimits]: a [ratelimit.Store], all four algorithms.
//   - [Store.Quotas]: a [quota.Store].
//   - [Store.Usage]: a [usage.Store], idempotent by batch ID.
//   - [Store.Credentials]: a [sigv4.CredentialStore].
//   - [Store.TakeBoth]: a request's rate limits and quota decided
//     together.
//   - [Store.LocalFirst]: rate limits and quotas decided in process and
//     synced every few milliseconds, for hot keys.
//
// Each passes the conformance suite of its package (apikeytest,
// ratelimittest, quotatest, usagetest, sigv4test) against a real Redis, standalone
// and Cluster, as the memory stores do; the rate-limit store also agrees
// with [ratelimit.MemoryStore] to the nanosecond on random sequences of
// takes.
//
// # One round trip
//
// Every operation that reads and writes is one Lua script, run by EVALSHA
// (falling back to EVAL, which caches it again, when the server answers
// NOSCRIPT after a restart), so it is atomic and costs one round trip: a
// rate-limit take over all of a caller's limits, a quota take, both at
// once ([Store.TakeBoth]: counted in both or in neither), an API key write
// with its version check and index moves, a lookup by hash.
//
// # Cost
//
// Takes whose limits all use [ratelimit.GCRA], the default, run scripts
// specialised to it (one for a single limit, the usual case), which share
// the general script's stored state but not its other algorithms: a
// throttle costs the server a little less than go-redis/redis_rate does,
// and a take as a whole is on par with redis_rate, the store's timeout
// included (it sets no timer per call). The GCRA scripts take their
// numbers packed as doubles, every rate-limit script returns them so, and
// none formats a number for Redis: parsing and formatting numbers cost
// the server more than most of the scripts' arithmetic. Every EVALSHA
// that writes still costs the server tens of times a PING (a few µs: each
// command a script runs, TIME included, costs about as much as a small
// EVALSHA of its own), so on a fast local network a take stays well above
// a bare round trip. BenchmarkInterleaved reports the ratios,
// BenchmarkServerTime the server's µs per call. tollgate's Gate decides
// throttle and quota with [RateLimitStore.TakeBoth] when both stores come
// from one Store (wrapped in a [ratelimit.FallbackStore] or not).
//
// # Local first
//
// A round trip per request is the floor of every store above: on
// loopback a throttle + quota script costs a few PINGs. [Store.LocalFirst]
// takes it out of the request: its stores decide from a copy held in
// process (GCRA rate limits with [ratelimit.TakeRequest.Apply], quotas
// with a local count), about as fast as the memory stores and without
// allocating, and one goroutine pushes the counts to Redis every 5 ms
// ([WithSyncInterval]) in one pipeline, on the same keys the other stores
// use. The reply replaces the local copy. Counts are forced in, never
// refused, so an over-admission becomes a debt that every instance pays
// back; with N instances, sync interval Δ and sync round trip L, a GCRA
// limit of rate r and burst b admits at most
// (N−1)·(b + r·(2Δ + L)) + N units beyond what one shared store would,
// and no more over time. [LocalFirst] states the bound and its quota
// counterpart; TestLocalFirstOverAdmission measures them, and
// BenchmarkLocalFirstInterleaved times the decisions against a PING.
// While Redis is down each instance limits on its own and keeps its
// counts for later; [LocalFirst.Close] pushes what is left.
//
// # Time
//
// Rate limits are decided at the Redis server's TIME, so instances whose
// clocks disagree share one view of every window and bucket;
// [WithClientTime] uses the limiter's clock instead. The scripts work on
// times relative to now, which Lua's doubles hold exactly, so results
// match the Go implementation to the nanosecond. Window algorithms need a
// Period that is a whole number of microseconds.
//
// # Keys and Redis Cluster
//
// Every key starts with the prefix ([WithPrefix], default "tollgate:").
// Keys a script touches together share a hash tag, so they sit in one
// Cluster slot: a caller's rate-limit counters ("tollgate:rl:{k:ID}", one
// string holding every counter) and quota counters
// ("tollgate:q:5:month:1767225600:1769904000:{k:ID}") are tagged by the
// caller's key, so they are decided together, and all API key
// data by one tag ("tollgate:{apikey}:rec:ID", "…:hash:HEX",
// "…:owner:NAME"), since a write must check and move the indexes of
// several keys at once. API key records are small and read rarely (the
// [apikey.Manager] caches them), so one slot holds them comfortably.
// Usage rows share one tag too ("tollgate:{usage}:…"), since a batch is
// applied whole.
// Rate-limit state expires once every counter in it is back to full;
// quota counters an hour after their period ends.
//
// # Timeouts and failures
//
// Each call is bounded by [WithTimeout] (default 100 ms; 0 leaves it to
// the client's own timeouts), so a slow or unreachable Redis costs a
// request little; the calling package then
// applies its failure policy (ratelimit's WithFailPolicy, quota's
// WithFailOpen). Wrapped in [ratelimit.NewFallbackStore], rate limits
// are taken from a local store meanwhile, so each instance keeps
// throttling on its own rather than letting everything through;
// [Store.Stats] counts failures for metrics. go-redis
// applies the bound to reads and writes only if the client was built with
// ContextTimeoutEnabled (to dialing and to waits for a connection
// always). A store error wraps the Redis error; the caller's
// own context error is returned unchanged. go-redis reconnects by itself:
// nothing needs restarting after Redis comes back.
//
// # API key changes across instances
//
// A write or delete of an API key publishes its ID on the channel
// "<prefix>apikey:changed", from inside the same script. An instance that
// runs [APIKeyStore.Subscribe] with its Manager's Invalidate drops its
// cached copy at once, so a revocation or plan change applies everywhere
// within the pub/sub delay rather than the cache TTL.
package redisstore

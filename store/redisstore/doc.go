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
//   - [Store.Quotas]: a [quota.Store].
//   - [Store.Usage]: a [usage.Store], idempotent by batch ID.
//
// Each passes the conformance suite of its package (apikeytest, quotatest,
// usagetest)
// against a real Redis, standalone and Cluster, as the memory stores do.
//
// # One round trip
//
// Every operation that reads and writes is one Lua script, run by EVALSHA
// (falling back to EVAL, which caches it again, when the server answers
// NOSCRIPT after a restart), so it is atomic and costs one round trip: a
// quota take, an API key write with its version check and index moves, a
// lookup by hash.
//
// # Keys and Redis Cluster
//
// Every key starts with the prefix ([WithPrefix], default "tollgate:").
// Keys a script touches together share a hash tag, so they sit in one
// Cluster slot: a caller's quota counters are tagged by the caller's key
// ("tollgate:q:5:quota:1767225600:1769904000:{key-id}"), and all API key
// data by one tag ("tollgate:{apikey}:rec:ID", "…:hash:HEX",
// "…:owner:NAME"), since a write must check and move the indexes of
// several keys at once. API key records are small and read rarely (the
// [apikey.Manager] caches them), so one slot holds them comfortably.
// Quota counters expire an hour after their period ends.
//
// # Timeouts and failures
//
// Each call is bounded by [WithTimeout] (default 100 ms), so a slow or
// unreachable Redis costs a request little; the calling package then
// applies its failure policy (quota's WithFailOpen, for one). go-redis
// honours the bound only if the client was built with
// ContextTimeoutEnabled. A store error wraps the Redis error; the caller's
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

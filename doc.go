// Package tollgate gives a Go HTTP service its own API management: API
// keys, AWS Signature V4 and JWT verification, usage plans with per-key
// throttling and quotas, usage metering and metrics, as net/http
// middleware. It is what Amazon API Gateway's usage plans, API keys and
// authorizers give a service, without a proxy to run.
//
// # Packages
//
// Each concern lives in its own package and stands alone: auth
// (identities, authenticator chains, custom authorizers), auth/jwt,
// auth/mtls, apikey, sigv4, ratelimit, quota, usage and metrics. Package
// tollgate composes them into one [Gate].
//
// # The Gate
//
// [New] takes a [Config] and returns a [Gate] whose Middleware runs, for
// each request: authentication by the configured authenticators, the
// caller's usage [Plan] (routes it may call), its throttle (or a
// per-route override), and its quota. Memory stores are used unless
// others are configured. Refusals are RFC 9457 problem responses: 401 or
// 403 from authentication, 403 "no_plan" or "route_not_in_plan" from the
// plan, 429 "rate_limited" or "quota_exceeded" with Retry-After, and 503
// when a store cannot answer (unless [Config.FailOpen]).
//
// # Stores
//
// Every stage keeps its state behind a small Store interface with a memory
// implementation and a conformance suite. store/redisstore and
// store/sqlstore put them on Redis and on PostgreSQL, MySQL/MariaDB or
// SQLite. When [Config.RateLimitStore] and [Config.QuotaStore] come from
// one Redis store, the Gate decides throttle and quota in one round trip.
//
// # Observing
//
// [Config.Metrics] wraps the Gate with OpenTelemetry metrics and a slog
// access log that sees every request, refused ones included, with the
// deciding stage's decision; [Config.Usage] meters the admitted ones for
// usage reports.
//
// # Usage plans
//
// A [Plan] binds a throttle and a quota to the callers on it, as API
// Gateway's usage plans do; identities name their plan
// ([auth.Identity.Plan]). [Plans] holds them and may change while the
// service runs.
package tollgate

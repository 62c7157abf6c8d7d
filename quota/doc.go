// Package quota limits how much each caller may use per day, week, month
// or any fixed period, as Amazon API Gateway's usage plan quotas do, and
// keeps prepaid credit balances (Unkey's "remaining").
//
// # Quotas and periods
//
// A [Quota] is a limit per [Period]. [Day], [Week] and [Month] follow the
// calendar: they begin at local midnight in their zone (UTC unless set with
// [Period.In]), so a day lasts 23 or 25 hours when the clocks change, a
// month has its own length and February knows leap years; weeks begin on
// Monday unless set with [Period.StartingOn]. [Every] makes a fixed period
// aligned to the quota's Start. [ParsePeriod] reads API Gateway's DAY,
// WEEK and MONTH. A quota's Offset is usage already counted in its initial
// period, as API Gateway's QuotaSettings.offset is.
//
// # Counting
//
// [Limiter.Take] checks and counts in one atomic step: a request is
// counted only if it is admitted, at the cost the caller names.
// [Limiter.Refund] gives a charge back to the period it was made in, and
// never to a later one. [Limiter.Usage] reads a key's usage and remaining
// quota; [Limiter.Grant], [Limiter.Reset] and [Limiter.SetRemaining] do
// what API Gateway's UpdateUsage does. Every result is a [Result]: limit,
// used, remaining and the time the period resets.
//
// # Credits
//
// A quota whose period is [Forever] never resets: it is a balance that
// requests draw down, set with [Limiter.SetRemaining] and topped up with
// [Limiter.Grant]. A balance that refills each month is simply a Month
// quota whose remaining amount is set with SetRemaining; it returns to the
// full Limit when the next month begins.
//
// # Middleware
//
// [Limiter.Middleware] counts each request against the quota of the
// caller the authentication stage identified ([auth.FromContext], or
// [WithKeyFunc]); the quota is fixed ([WithQuota]) or chosen per request
// ([WithQuotaFunc]), e.g. from the caller's usage plan. A spent quota is
// refused with 429, an RFC 9457 problem with code "quota_exceeded" and
// Retry-After until the period resets. The quota appears as its own policy
// in the RateLimit-Policy and RateLimit fields, beside any throttling
// policy written before it. [WithRefundServerErrors] counts only
// responses below 500. A failing store refuses with 503 unless
// [WithFailOpen] is set. Callers that merge headers themselves use
// [Limiter.Take] and [Result.SetHeaders], or [WithoutHeaders].
//
// # Stores
//
// Counters live in a [Store], whose Take adds a cost only if the sum stays
// within the limit, atomically: one Redis Lua script or one guarded SQL
// upsert. [MemoryStore] keeps them in process memory and drops the
// counters of ended periods. The conformance suite in
// [github.com/tollgate/tollgate/quota/quotatest] checks any implementation.
package quota

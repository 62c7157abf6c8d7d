package quota

import "context"

// Bucket names one counter: the usage of one key in one period of one
// quota. Quota, Key, Start and End together identify it; two buckets that
// differ in any of them are separate counters.
type Bucket struct {
	// Quota is the quota's name, so that several quotas on one key (or a
	// plan that changes its quota) keep separate counts.
	Quota string
	// Key identifies the caller, e.g. an API key's ID.
	Key string
	// Start and End bound the period in Unix seconds, [Start, End). End
	// is also the expiry hint: a store may drop the counter once End has
	// passed. End is 0 for a period that never ends.
	Start, End int64
	// Initial is the usage a counter that does not exist yet starts from
	// (the quota's Offset in its initial period, otherwise 0).
	Initial int64
}

// Usage is a counter's state as a store reports it.
type Usage struct {
	// Used is the amount counted in the bucket. It can be negative after
	// quota was granted.
	Used int64
	// Admitted reports whether [Store.Take] counted the cost.
	Admitted bool
}

// Store keeps quota counters. Implementations must make each method atomic
// with respect to every other on the same bucket: concurrent Takes never
// admit more than the limit allows. A missing counter reads as
// Bucket.Initial.
//
// A returned error always means the backend failed (or ctx ended, in
// which case ctx.Err() is returned unchanged); a counter that is over its
// limit is a value, Usage.Admitted == false, never an error.
//
// The operations map onto one round trip each. In Redis, Take is a Lua
// script on a key built from the four identifying fields:
//
//	local used = tonumber(redis.call('GET', KEYS[1]) or ARGV[1]) -- Initial
//	if used + cost > limit then return {used, 0} end
//	redis.call('SET', KEYS[1], used + cost, 'EXAT', expiry) -- End plus slack
//	return {used + cost, 1}
//
// In SQL it is an upsert whose update is guarded, reading back the row:
//
//	INSERT INTO quota_usage (quota, key, start, end, used)
//	VALUES ($1, $2, $3, $4, $5 + $6)
//	ON CONFLICT (quota, key, start, end) DO UPDATE
//	SET used = quota_usage.used + $6 WHERE quota_usage.used + $6 <= $7
//	RETURNING used
//
// where no row returned means refused. When Initial + cost alone exceeds
// the limit, the insert must not happen (a refusal creates no counter),
// yet an existing counter set below Initial may still pay: run only the
// guarded UPDATE in that case, as store/sqlstore does. The conformance suite
// [github.com/tollgate/tollgate/quota/quotatest.Run] checks an
// implementation against this contract.
type Store interface {
	// Take adds cost to the bucket's counter if the sum stays at or below
	// limit, and reports the counter's value afterwards and whether it
	// was counted. A refused Take changes nothing.
	Take(ctx context.Context, b Bucket, cost, limit int64) (Usage, error)
	// Add adds delta (which may be negative: a refund or a grant) to the
	// counter unconditionally and returns the result.
	Add(ctx context.Context, b Bucket, delta int64) (Usage, error)
	// Get returns the counter without changing it.
	Get(ctx context.Context, b Bucket) (Usage, error)
	// Set replaces the counter's value with used.
	Set(ctx context.Context, b Bucket, used int64) error
}

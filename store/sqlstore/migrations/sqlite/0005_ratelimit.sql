-- Rate limit counters (package ratelimit): the ratelimit.State of each
-- key's counter. rl_key holds the key's bytes as given; updated_at is
-- the Unix nanoseconds of the last take, for RateLimitStore.DeleteIdle.
CREATE TABLE IF NOT EXISTS {p}ratelimit_counters (
	rl_key BLOB NOT NULL,
	bucket TEXT NOT NULL,
	state_time INTEGER NOT NULL,
	state_count INTEGER NOT NULL,
	state_prev INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (rl_key, bucket)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {p}ratelimit_counters_updated ON {p}ratelimit_counters (updated_at);

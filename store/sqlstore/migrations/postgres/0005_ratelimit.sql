-- Rate limit counters (package ratelimit): the ratelimit.State of each
-- key's counter. rl_key holds the key's bytes as given; updated_at is
-- the Unix nanoseconds of the last take, for RateLimitStore.DeleteIdle.
CREATE TABLE IF NOT EXISTS {p}ratelimit_counters (
	rl_key BYTEA NOT NULL,
	bucket TEXT COLLATE "C" NOT NULL,
	state_time BIGINT NOT NULL,
	state_count BIGINT NOT NULL,
	state_prev BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (rl_key, bucket)
);

CREATE INDEX IF NOT EXISTS {p}ratelimit_counters_updated ON {p}ratelimit_counters (updated_at);

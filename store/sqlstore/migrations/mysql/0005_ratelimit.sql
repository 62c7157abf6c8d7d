-- Rate limit counters (package ratelimit): the ratelimit.State of each
-- key's counter. rl_key holds the key's bytes as given (at most 512);
-- updated_at is the Unix nanoseconds of the last take, for
-- RateLimitStore.DeleteIdle.
CREATE TABLE IF NOT EXISTS {p}ratelimit_counters (
	rl_key VARBINARY(512) NOT NULL,
	bucket VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	state_time BIGINT NOT NULL,
	state_count BIGINT NOT NULL,
	state_prev BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (rl_key, bucket),
	INDEX {p}ratelimit_counters_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

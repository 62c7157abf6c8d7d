-- Quota counters (package quota): one row per quota, key and period.
-- period_start and period_end are Unix seconds; period_end is 0 for a
-- period that never ends. Rows whose period has ended are deleted by
-- QuotaStore.DeleteEnded. Quota names and keys are at most 191
-- characters here (the primary key's length limit).
CREATE TABLE IF NOT EXISTS {p}quota_usage (
	quota_name VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	bucket_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	period_start BIGINT NOT NULL,
	period_end BIGINT NOT NULL,
	used BIGINT NOT NULL,
	PRIMARY KEY (quota_name, bucket_key, period_start, period_end),
	INDEX {p}quota_usage_end (period_end)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Quota counters (package quota): one row per quota, key and period.
-- period_start and period_end are Unix seconds; period_end is 0 for a
-- period that never ends. Rows whose period has ended are deleted by
-- QuotaStore.DeleteEnded.
CREATE TABLE IF NOT EXISTS {p}quota_usage (
	quota_name TEXT COLLATE "C" NOT NULL,
	bucket_key TEXT COLLATE "C" NOT NULL,
	period_start BIGINT NOT NULL,
	period_end BIGINT NOT NULL,
	used BIGINT NOT NULL,
	PRIMARY KEY (quota_name, bucket_key, period_start, period_end)
);

CREATE INDEX IF NOT EXISTS {p}quota_usage_end ON {p}quota_usage (period_end);

-- Quota counters (package quota): one row per quota, key and period.
-- period_start and period_end are Unix seconds; period_end is 0 for a
-- period that never ends. Rows whose period has ended are deleted by
-- QuotaStore.DeleteEnded.
CREATE TABLE IF NOT EXISTS {p}quota_usage (
	quota_name TEXT NOT NULL,
	bucket_key TEXT NOT NULL,
	period_start INTEGER NOT NULL,
	period_end INTEGER NOT NULL,
	used INTEGER NOT NULL,
	PRIMARY KEY (quota_name, bucket_key, period_start, period_end)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {p}quota_usage_end ON {p}quota_usage (period_end);

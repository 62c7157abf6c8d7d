-- Usage totals (package usage): one row per key, bucket start (Unix
-- seconds), plan, route and method; latency_ns is the summed latency.
CREATE TABLE IF NOT EXISTS {p}usage_rows (
	key_id TEXT NOT NULL,
	bucket_start INTEGER NOT NULL,
	plan TEXT NOT NULL,
	route TEXT NOT NULL,
	method TEXT NOT NULL,
	requests INTEGER NOT NULL,
	client_errors INTEGER NOT NULL,
	server_errors INTEGER NOT NULL,
	bytes_in INTEGER NOT NULL,
	bytes_out INTEGER NOT NULL,
	latency_ns INTEGER NOT NULL,
	PRIMARY KEY (key_id, bucket_start, plan, route, method)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {p}usage_rows_start ON {p}usage_rows (bucket_start);

-- The IDs of the batches applied, written in the batch's transaction:
-- the primary key refuses a batch applied before.
CREATE TABLE IF NOT EXISTS {p}usage_batches (
	batch_id TEXT NOT NULL PRIMARY KEY,
	applied_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {p}usage_batches_applied ON {p}usage_batches (applied_at);

-- Usage totals (package usage): one row per key, bucket start (Unix
-- seconds), plan, route and method; latency_ns is the summed latency.
CREATE TABLE IF NOT EXISTS {p}usage_rows (
	key_id TEXT COLLATE "C" NOT NULL,
	bucket_start BIGINT NOT NULL,
	plan TEXT COLLATE "C" NOT NULL,
	route TEXT COLLATE "C" NOT NULL,
	method TEXT COLLATE "C" NOT NULL,
	requests BIGINT NOT NULL,
	client_errors BIGINT NOT NULL,
	server_errors BIGINT NOT NULL,
	bytes_in BIGINT NOT NULL,
	bytes_out BIGINT NOT NULL,
	latency_ns BIGINT NOT NULL,
	PRIMARY KEY (key_id, bucket_start, plan, route, method)
);

CREATE INDEX IF NOT EXISTS {p}usage_rows_start ON {p}usage_rows (bucket_start);

-- The IDs of the batches applied, written in the batch's transaction:
-- the primary key refuses a batch applied before.
CREATE TABLE IF NOT EXISTS {p}usage_batches (
	batch_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	applied_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS {p}usage_batches_applied ON {p}usage_batches (applied_at);

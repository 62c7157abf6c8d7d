-- Usage totals (package usage): one row per key, bucket start (Unix
-- seconds), plan, route and method; latency_ns is the summed latency.
-- The lengths keep the primary key within InnoDB's 3072 bytes.
CREATE TABLE IF NOT EXISTS {p}usage_rows (
	key_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	bucket_start BIGINT NOT NULL,
	plan VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	route VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	method VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	requests BIGINT NOT NULL,
	client_errors BIGINT NOT NULL,
	server_errors BIGINT NOT NULL,
	bytes_in BIGINT NOT NULL,
	bytes_out BIGINT NOT NULL,
	latency_ns BIGINT NOT NULL,
	PRIMARY KEY (key_id, bucket_start, plan, route, method),
	INDEX {p}usage_rows_start (bucket_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The IDs of the batches applied, written in the batch's transaction:
-- the primary key refuses a batch applied before.
CREATE TABLE IF NOT EXISTS {p}usage_batches (
	batch_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
	applied_at BIGINT NOT NULL,
	INDEX {p}usage_batches_applied (applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

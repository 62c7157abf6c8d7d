-- API keys (package apikey). Times are Unix microseconds, NULL for none.
-- scopes, metadata and previous hold JSON; previous lists rotated-out
-- secrets as {"hash": base64, "start": text, "expires_us": int}.
-- IDs and owners compare byte-wise (utf8mb4_bin) so List pages in the
-- same order on every dialect.
CREATE TABLE IF NOT EXISTS {p}api_keys (
	id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
	owner VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	name TEXT NOT NULL,
	plan VARCHAR(255) NOT NULL,
	hash BINARY(32) NOT NULL,
	secret_start VARCHAR(255) NOT NULL,
	scopes TEXT,
	metadata TEXT,
	enabled BOOLEAN NOT NULL,
	created_at BIGINT,
	updated_at BIGINT,
	expires_at BIGINT,
	last_used_at BIGINT,
	revoked_at BIGINT,
	previous TEXT,
	version BIGINT NOT NULL,
	INDEX {p}api_keys_owner (owner, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every hash a key answers to (current and previous secrets): the
-- primary key makes a secret belong to one key at most.
CREATE TABLE IF NOT EXISTS {p}api_key_hashes (
	hash BINARY(32) NOT NULL PRIMARY KEY,
	key_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	INDEX {p}api_key_hashes_key (key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

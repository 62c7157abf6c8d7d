-- API keys (package apikey). Times are Unix microseconds, NULL for none.
-- scopes, metadata and previous hold JSON; previous lists rotated-out
-- secrets as {"hash": base64, "start": text, "expires_us": int}.
CREATE TABLE IF NOT EXISTS {p}api_keys (
	id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	owner TEXT COLLATE "C" NOT NULL,
	name TEXT NOT NULL,
	plan TEXT NOT NULL,
	hash BYTEA NOT NULL,
	secret_start TEXT NOT NULL,
	scopes JSONB,
	metadata JSONB,
	enabled BOOLEAN NOT NULL,
	created_at BIGINT,
	updated_at BIGINT,
	expires_at BIGINT,
	last_used_at BIGINT,
	revoked_at BIGINT,
	previous JSONB,
	version BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS {p}api_keys_owner ON {p}api_keys (owner, id);

-- Every hash a key answers to (current and previous secrets): the
-- primary key makes a secret belong to one key at most.
CREATE TABLE IF NOT EXISTS {p}api_key_hashes (
	hash BYTEA NOT NULL PRIMARY KEY,
	key_id TEXT COLLATE "C" NOT NULL
);

CREATE INDEX IF NOT EXISTS {p}api_key_hashes_key ON {p}api_key_hashes (key_id);

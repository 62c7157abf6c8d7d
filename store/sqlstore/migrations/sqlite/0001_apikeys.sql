-- API keys (package apikey). Times are Unix microseconds, NULL for none.
-- scopes, metadata and previous hold JSON; previous lists rotated-out
-- secrets as {"hash": base64, "start": text, "expires_us": int}.
CREATE TABLE IF NOT EXISTS {p}api_keys (
	id TEXT NOT NULL PRIMARY KEY,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	plan TEXT NOT NULL,
	hash BLOB NOT NULL,
	secret_start TEXT NOT NULL,
	scopes TEXT,
	metadata TEXT,
	enabled INTEGER NOT NULL,
	created_at INTEGER,
	updated_at INTEGER,
	expires_at INTEGER,
	last_used_at INTEGER,
	revoked_at INTEGER,
	previous TEXT,
	version INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS {p}api_keys_owner ON {p}api_keys (owner, id);

-- Every hash a key answers to (current and previous secrets): the
-- primary key makes a secret belong to one key at most.
CREATE TABLE IF NOT EXISTS {p}api_key_hashes (
	hash BLOB NOT NULL PRIMARY KEY,
	key_id TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS {p}api_key_hashes_key ON {p}api_key_hashes (key_id);

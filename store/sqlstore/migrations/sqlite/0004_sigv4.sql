-- AWS SigV4 access keys (package sigv4). secret holds the secret access
-- key itself: SigV4 derives its signing keys from it, so it cannot be
-- stored hashed. Restrict who may read this table, and encrypt the
-- database at rest. identity is JSON, NULL for the default.
CREATE TABLE IF NOT EXISTS {p}sigv4_credentials (
	access_key_id TEXT NOT NULL PRIMARY KEY,
	secret TEXT NOT NULL,
	secret_version TEXT NOT NULL,
	session_token TEXT NOT NULL,
	identity TEXT,
	disabled INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

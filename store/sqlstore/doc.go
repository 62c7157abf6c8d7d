// Package sqlstore keeps tollgate's state in a SQL database through
// database/sql: PostgreSQL, MySQL or MariaDB, and SQLite, the embedded
// choice for a single instance that must keep its keys across restarts.
//
// # Drivers
//
// The package imports no driver: open a *sql.DB with the driver of your
// choice and name its [Dialect] in [New]. Tested with
// github.com/jackc/pgx/v5/stdlib ([Postgres]), github.com/go-sql-driver/mysql
// ([MySQL], against MariaDB) and modernc.org/sqlite ([SQLite], pure Go; open
// it with "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" so writers
// queue and readers run beside them; for an in-memory database call
// db.SetMaxOpenConns(1), or every pooled connection gets one of its own).
// No DSN option is needed otherwise: times are stored as integers, so
// MySQL's parseTime does not matter.
//
// Reads use statements prepared on first use (except on PostgreSQL, where
// pgx caches them itself); [Store.Close] releases them.
//
// # Schema
//
// [Store.Migrate] creates and updates the tables from SQL files embedded
// in the binary, one numbered file per change and per dialect, recording
// what it applied in <prefix>schema_migrations. It is idempotent and safe
// to run from every instance at start-up: they take turns under a
// PostgreSQL advisory lock, a MySQL named lock or an SQLite write
// transaction. [WithTablePrefix] (default "tollgate_") lets deployments
// or test runs share a database.
//
// Times are stored as Unix microseconds (NULL for none) and lists and maps
// as JSON text, so every dialect holds the same values and the tables can
// be read with plain SQL.
//
// # API keys
//
// [Store.APIKeys] returns a [KeyStore], an [apikey.Store]: a row per key
// and a row per secret hash, whose primary key keeps a secret to a single
// key. A write is one transaction, an INSERT for a new key or an UPDATE
// guarded by the expected version, so concurrent writers never lose an
// update; a lost race, a duplicate ID or secret, or a persisting deadlock
// is [apikey.ErrConflict]. [KeyStore.TouchLastUsed] records last-used times
// in one transaction per batch.
//
// # Quotas
//
// [Store.Quotas] returns a [QuotaStore], a [quota.Store] with a row per
// quota, key and period. Take is one guarded upsert: it inserts the
// counter or adds the cost to it only while "used + cost <= limit"
// holds, with RETURNING on PostgreSQL and SQLite and LAST_INSERT_ID on
// MySQL to read the new value back, so any number of instances sharing
// the database never admit more than the limit. A Take that even a new
// counter could not pay is a guarded UPDATE alone, so refusals make no
// rows. [QuotaStore.DeleteEnded] deletes the counters of ended periods;
// run it now and then.
//
// # Usage
//
// [Store.Usage] returns a [UsageStore], a [usage.Store]. Apply is one
// transaction that first records the batch ID in a table whose primary
// key refuses an ID seen before (so a retried batch is reported as a
// duplicate and never counts twice), then adds the batch's rows with one
// multi-row upsert: a single statement taking arrays on PostgreSQL, one
// per [MaxUsageRows] rows on MySQL and SQLite. [UsageStore.ForgetBatches]
// trims the table of batch IDs.
//
// # SigV4 credentials
//
// [Store.Credentials] returns a [CredentialStore], a
// [sigv4.CredentialStore]. Its secret column holds secret access keys in
// plain text, because SigV4 signing keys are derived from the secret
// itself; see [CredentialStore] for how to protect the table.
//
// # Rate limits
//
// [Store.RateLimits] returns a [RateLimitStore], a [ratelimit.Store] for
// low rates only: each Take locks the key's counter rows in a
// transaction, applies [ratelimit.TakeRequest.Apply] and writes them
// back, milliseconds a Take. [RateLimitStore.DeleteIdle] deletes
// counters that have refilled.
//
// # Timeouts and failures
//
// Each operation (a read, a write, or a transaction with its retries) is
// bounded by [WithTimeout] (default 5 s), so a row held by a stuck
// transaction or an unreachable server costs a request that long at most
// before the calling package applies its failure policy (ratelimit's
// WithFailPolicy, quota's WithFailOpen); the error then wraps
// [ErrTimeout], which does not match context.DeadlineExceeded. A shorter
// deadline of the caller's own context still wins. [Store.Migrate] and the
// clean-up calls run under the caller's context alone. Wrapped in
// [ratelimit.NewFallbackStore], rate limits are taken from a local store
// while the database fails, so each instance keeps throttling on its own
// rather than letting everything through; [Store.Stats] counts failures
// for metrics, as the Redis store's does.
//
// # Notifications
//
// On PostgreSQL every key write also sends NOTIFY in its transaction, and
// [KeyStore.Subscribe] listens on one connection and calls a function, such
// as [apikey.Manager.Invalidate], with the ID of each changed key: a key
// revoked on one instance stops verifying on all of them at once, not after
// the verification cache's TTL. database/sql cannot wait for a
// notification, so Subscribe takes a [WaitFunc] written for the driver.
// MySQL and SQLite have no notifications; there the TTL bounds staleness.
//
// # Errors
//
// A key that does not exist is [apikey.ErrNotFound], a refused Take is
// a [quota.Usage] with Admitted false and a duplicate usage batch an
// [usage.ApplyResult] with Duplicate set: values, not errors. Anything
// else the database reports is an error wrapped as
// "sqlstore: <operation>: ...". Writes that the database aborted as a
// deadlock victim are retried twice after a short random pause.
// A cancelled or expired context of the caller is returned as ctx.Err()
// itself; the Store's own timeout as an error wrapping [ErrTimeout].
package sqlstore

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/quota"
)

// QuotaStore is a [quota.Store] on the Store's database: a row per
// quota, key and period in <prefix>quota_usage. Every operation is one
// statement, atomic on its own: Take is an upsert whose update is
// guarded by "used + cost <= limit", so concurrent Takes on any number
// of instances never admit more than the limit. It is safe for
// concurrent use.
//
// On MySQL and MariaDB, which have no RETURNING, the statements hand the
// new value back through LAST_INSERT_ID(expr) and tell an admitted Take
// from a refused one by the rows affected, so the connection must not
// set clientFoundRows (it is off by default); with it on, a Take that
// cannot tell fails rather than admit.
type QuotaStore struct {
	s *Store
	q quotaQueries
}

var _ quota.Store = (*QuotaStore)(nil)

// Quotas returns the Store's [quota.Store].
func (s *Store) Quotas() *QuotaStore { return s.quotas }

// quotaQueries are the QuotaStore's statements in the Store's dialect.
// Each takes the bucket's four columns where "pk" shows.
type quotaQueries struct {
	get         *stmt // pk
	take        *stmt // pk, initial+cost, cost, cost, limit
	takeOld     *stmt // cost, pk, cost, limit: only an existing row
	add         *stmt // pk, initial+delta, delta
	set         *stmt // pk, used, used
	deleteEnded string
}

const quotaPK = `quota_name = ? AND bucket_key = ? AND period_start = ? AND period_end = ?`

const quotaInsert = `INSERT INTO {p}quota_usage (quota_name, bucket_key, period_start, period_end, used) VALUES (?, ?, ?, ?, ?) `

func newQuotaStore(s *Store) *QuotaStore {
	var take, takeOld, add, set string
	if s.dialect == MySQL {
		// The new value is also LAST_INSERT_ID's, which the driver
		// reports as the result's LastInsertId. LAST_INSERT_ID is
		// unsigned: the cast keeps a negative count (a grant) negative.
		// A comparison is 1 or 0, so "used + cost * (guard)" adds cost
		// only when the guard holds.
		const last = `CAST(LAST_INSERT_ID(%s) AS SIGNED)`
		take = quotaInsert + `ON DUPLICATE KEY UPDATE used = ` + fmt.Sprintf(last, `used + ? * (used + ? <= ?)`)
		takeOld = `UPDATE {p}quota_usage SET used = ` + fmt.Sprintf(last, `used + ?`) + ` WHERE ` + quotaPK + ` AND used + ? <= ?`
		add = quotaInsert + `ON DUPLICATE KEY UPDATE used = ` + fmt.Sprintf(last, `used + ?`)
		set = quotaInsert + `ON DUPLICATE KEY UPDATE used = ?`
	} else {
		const conflict = `ON CONFLICT (quota_name, bucket_key, period_start, period_end) DO UPDATE SET `
		take = quotaInsert + conflict + `used = {p}quota_usage.used + ? WHERE {p}quota_usage.used + ? <= ? RETURNING used`
		takeOld = `UPDATE {p}quota_usage SET used = used + ? WHERE ` + quotaPK + ` AND used + ? <= ? RETURNING used`
		add = quotaInsert + conflict + `used = {p}quota_usage.used + ? RETURNING used`
		set = quotaInsert + conflict + `used = ?`
	}
	return &QuotaStore{s: s, q: quotaQueries{
		get:         s.newStmt(`SELECT used FROM {p}quota_usage WHERE ` + quotaPK),
		take:        s.newStmt(take),
		takeOld:     s.newStmt(takeOld),
		add:         s.newStmt(add),
		set:         s.newStmt(set),
		deleteEnded: s.query(`DELETE FROM {p}quota_usage WHERE period_end > 0 AND period_end <= ?`),
	}}
}

func bucketArgs(b quota.Bucket, more ...any) []any {
	return append([]any{b.Quota, b.Key, b.Start, b.End}, more...)
}

// Take implements [quota.Store]. When even a new counter (b.Initial)
// could not pay cost, it only updates an existing row, so a refused Take
// never creates one; a refused Take reads the counter back with a
// second statement.
func (qs *QuotaStore) Take(ctx context.Context, b quota.Bucket, cost, limit int64) (quota.Usage, error) {
	if cost == 0 { // nothing to count: admitted if not already over
		u, err := qs.Get(ctx, b)
		u.Admitted = err == nil && u.Used <= limit
		return u, err
	}
	var u quota.Usage
	err := qs.s.retry(ctx, "quota take", nil, func(ctx context.Context) (err error) {
		if b.Initial+cost <= limit {
			u, err = qs.upsert(ctx, qs.q.take, b.Initial+cost, bucketArgs(b, b.Initial+cost, cost, cost, limit))
		} else {
			u, err = qs.update(ctx, append([]any{cost}, bucketArgs(b, cost, limit)...))
		}
		return err
	})
	if err != nil || u.Admitted {
		return u, err
	}
	return qs.Get(ctx, b)
}

// Add implements [quota.Store].
func (qs *QuotaStore) Add(ctx context.Context, b quota.Bucket, delta int64) (quota.Usage, error) {
	if delta == 0 {
		return qs.Get(ctx, b)
	}
	var u quota.Usage
	err := qs.s.retry(ctx, "quota add", nil, func(ctx context.Context) (err error) {
		u, err = qs.upsert(ctx, qs.q.add, b.Initial+delta, bucketArgs(b, b.Initial+delta, delta))
		return err
	})
	u.Admitted = false
	return u, err
}

// Get implements [quota.Store].
func (qs *QuotaStore) Get(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
	u := quota.Usage{Used: b.Initial}
	err := qs.s.queryRow(ctx, qs.q.get, func(row *sql.Row) error { return row.Scan(&u.Used) }, bucketArgs(b)...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return quota.Usage{}, qs.s.fail(ctx, "quota get", err)
	}
	return u, nil
}

// Set implements [quota.Store].
func (qs *QuotaStore) Set(ctx context.Context, b quota.Bucket, used int64) error {
	return qs.s.retry(ctx, "quota set", nil, func(ctx context.Context) error {
		_, err := qs.s.exec(ctx, qs.q.set, bucketArgs(b, used, used)...)
		return err
	})
}

// DeleteEnded deletes the counters of periods that ended at or before
// before, and reports how many it deleted; counters of periods that
// never end stay. Run it now and then (hourly, say) with a time some
// way in the past, such as time.Now().Add(-time.Hour), so that an
// instance whose clock runs late does not count into a deleted period
// from zero again.
func (qs *QuotaStore) DeleteEnded(ctx context.Context, before time.Time) (int64, error) {
	return qs.s.deleteRows(ctx, "quota delete ended", qs.q.deleteEnded, before.Unix())
}

// upsert runs an INSERT of a new counter with value inserted that
// otherwise updates the existing one, and reports the value afterwards
// and whether the statement changed the counter.
func (qs *QuotaStore) upsert(ctx context.Context, st *stmt, inserted int64, args []any) (quota.Usage, error) {
	if qs.s.dialect != MySQL {
		return qs.returning(ctx, st, args)
	}
	res, err := qs.s.exec(ctx, st, args...)
	if err != nil {
		return quota.Usage{}, err
	}
	// MySQL counts 1 for an insert, 2 for a changed row, 0 for a row the
	// guard left as it was. An insert leaves LastInsertId 0; a row the
	// guard left that counts 1 betrays clientFoundRows.
	n, err := res.RowsAffected()
	if err != nil {
		return quota.Usage{}, err
	}
	used, err := res.LastInsertId()
	switch {
	case err != nil:
		return quota.Usage{}, err
	case n == 1 && used != 0:
		return quota.Usage{}, errFoundRows
	case n == 1:
		return quota.Usage{Used: inserted, Admitted: true}, nil
	}
	return quota.Usage{Used: used, Admitted: n == 2}, nil
}

// errFoundRows reports a MySQL connection that counts rows matched, not
// changed, with which QuotaStore cannot tell a refused Take.
var errFoundRows = errors.New("sqlstore: the MySQL connection sets clientFoundRows, which the quota store needs off")

// update runs takeOld, the guarded update of an existing counter. A
// refused update reports Admitted false and no value.
func (qs *QuotaStore) update(ctx context.Context, args []any) (quota.Usage, error) {
	if qs.s.dialect != MySQL {
		return qs.returning(ctx, qs.q.takeOld, args)
	}
	res, err := qs.s.exec(ctx, qs.q.takeOld, args...)
	if err != nil {
		return quota.Usage{}, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return quota.Usage{}, err
	}
	used, err := res.LastInsertId()
	return quota.Usage{Used: used, Admitted: true}, err
}

// returning runs a statement ending in "RETURNING used": no row means
// the guard refused.
func (qs *QuotaStore) returning(ctx context.Context, st *stmt, args []any) (quota.Usage, error) {
	var u quota.Usage
	switch err := qs.s.queryRow(ctx, st, func(row *sql.Row) error { return row.Scan(&u.Used) }, args...); {
	case errors.Is(err, sql.ErrNoRows):
		return quota.Usage{}, nil
	case err != nil:
		return quota.Usage{}, err
	}
	u.Admitted = true
	return u, nil
}

package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/usage"
)

// UsageStore is a [usage.Store] on the Store's database: a row per key,
// bucket, plan, route and method in <prefix>usage_rows, and the ID of
// every batch applied in <prefix>usage_batches. Apply is one transaction
// that records the batch ID (whose primary key refuses a batch applied
// before, so a retried batch never counts twice) and adds the batch's
// rows with one multi-row upsert: on PostgreSQL a single statement that
// takes each column as an array, elsewhere one per [MaxUsageRows] rows.
// It is safe for concurrent use.
type UsageStore struct {
	s *Store
	q usageQueries
}

var _ usage.Store = (*UsageStore)(nil)

// MaxUsageRows is the most rows one statement of [UsageStore.Apply]
// writes on MySQL and SQLite: at 11 placeholders a row, it keeps within
// both dialects' limits.
// A batch with more distinct rows takes several statements, still in one
// transaction.
const MaxUsageRows = 1000

// Usage returns the Store's [usage.Store].
func (s *Store) Usage() *UsageStore { return s.usage }

type usageQueries struct {
	insertBatch, forget    string
	upsertHead, upsertTail string // around the rows' VALUES
	unnest                 string
	query, queryKey        *stmt
}

const usageCols = `key_id, bucket_start, plan, route, method, requests, client_errors, server_errors, bytes_in, bytes_out, latency_ns`

// usageCounters are the columns that add.
var usageCounters = []string{"requests", "client_errors", "server_errors", "bytes_in", "bytes_out", "latency_ns"}

func newUsageStore(s *Store) *UsageStore {
	add := func(c string) string { return "{p}usage_rows." + c + " + " + s.excluded(c) }
	if s.dialect == MySQL { // which may not name the table there
		add = func(c string) string { return c + " + " + s.excluded(c) }
	}
	onConflict := s.onConflict("key_id, bucket_start, plan, route, method", usageCounters, add)
	const sel = `SELECT ` + usageCols + ` FROM {p}usage_rows WHERE bucket_start >= ? AND bucket_start < ?`
	return &UsageStore{s: s, q: usageQueries{
		insertBatch: s.query(`INSERT INTO {p}usage_batches (batch_id, applied_at) VALUES (?, ?)`),
		forget:      s.query(`DELETE FROM {p}usage_batches WHERE applied_at < ?`),
		upsertHead:  s.query(`INSERT INTO {p}usage_rows (` + usageCols + `) VALUES `),
		upsertTail:  s.query(onConflict),
		unnest: s.query(`INSERT INTO {p}usage_rows (` + usageCols + `) SELECT * FROM unnest(?::text[], ?::bigint[], ` +
			`?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])` +
			onConflict),
		query:    s.newStmt(sel),
		queryKey: s.newStmt(sel + ` AND key_id = ?`),
	}}
}

// errDuplicate stops the transaction of a batch applied before.
var errDuplicate = errors.New("sqlstore: batch applied before")

// Apply implements [usage.Store]. Rows of one bucket are added up first,
// as an upsert may not touch a row twice, and written in key order, so
// concurrent batches lock rows in the same order.
func (us *UsageStore) Apply(ctx context.Context, b usage.Batch) (usage.ApplyResult, error) {
	rows := mergeRows(b.Rows)
	err := us.s.inTx(ctx, "apply usage", nil, func(ctx context.Context, tx *sql.Tx) error {
		if err := us.markApplied(ctx, tx, b.ID); err != nil {
			return err
		}
		return us.addRows(ctx, tx, rows)
	})
	if errors.Is(err, errDuplicate) {
		return usage.ApplyResult{Duplicate: true}, nil
	}
	return usage.ApplyResult{}, err
}

// addRows adds rows to the totals: one statement on PostgreSQL, which
// takes the rows as arrays, one per MaxUsageRows rows elsewhere.
func (us *UsageStore) addRows(ctx context.Context, tx *sql.Tx, rows []usage.Row) error {
	if us.s.dialect == Postgres && len(rows) > 0 {
		_, err := tx.ExecContext(ctx, us.q.unnest, usageColumns(rows)...)
		return err
	}
	for chunk := range slices.Chunk(rows, MaxUsageRows) {
		if _, err := tx.ExecContext(ctx, us.upsert(len(chunk)), usageArgs(chunk)...); err != nil {
			return err
		}
	}
	return nil
}

// markApplied records the batch ID, or reports errDuplicate.
func (us *UsageStore) markApplied(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, us.q.insertBatch, id, us.s.now().Unix())
	if err != nil && us.s.classify(err) == errUnique {
		return errDuplicate
	}
	return err
}

// upsert returns the statement that adds n rows.
func (us *UsageStore) upsert(n int) string {
	return us.q.upsertHead + us.s.query(placeholders(n, 11)) + us.q.upsertTail
}

func usageArgs(rows []usage.Row) []any {
	args := make([]any, 0, 11*len(rows))
	for _, r := range rows {
		c := r.Counters
		args = append(args, r.Key, r.Start.Unix(), r.Plan, r.Route, r.Method,
			c.Requests, c.ClientErrors, c.ServerErrors, c.BytesIn, c.BytesOut, int64(c.Latency))
	}
	return args
}

// mergeRows adds up the rows of each bucket and sorts them by bucket.
func mergeRows(rows []usage.Row) []usage.Row {
	idx := make(map[usage.RowKey]int, len(rows))
	merged := make([]usage.Row, 0, len(rows))
	for _, r := range rows {
		k := r.RowKey()
		if i, ok := idx[k]; ok {
			merged[i].Counters.Add(r.Counters)
			continue
		}
		idx[k] = len(merged)
		merged = append(merged, r)
	}
	slices.SortFunc(merged, func(a, b usage.Row) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), cmp.Compare(a.Start.Unix(), b.Start.Unix()),
			strings.Compare(a.Plan, b.Plan), strings.Compare(a.Route, b.Route), strings.Compare(a.Method, b.Method))
	})
	return merged
}

// Query implements [usage.Store].
func (us *UsageStore) Query(ctx context.Context, f usage.Filter) (usage.QueryResult, error) {
	st, args := us.q.query, []any{f.From.Unix(), f.To.Unix()}
	if f.Key != "" {
		st, args = us.q.queryKey, append(args, f.Key)
	}
	var res usage.QueryResult
	err := us.s.queryRows(ctx, st, func(rows *sql.Rows) error {
		var r usage.Row
		var start, latency int64
		c := &r.Counters
		if err := rows.Scan(&r.Key, &start, &r.Plan, &r.Route, &r.Method,
			&c.Requests, &c.ClientErrors, &c.ServerErrors, &c.BytesIn, &c.BytesOut, &latency); err != nil {
			return err
		}
		r.Start, c.Latency = time.Unix(start, 0).UTC(), time.Duration(latency)
		res.Rows = append(res.Rows, r)
		return nil
	}, args...)
	if err != nil {
		return usage.QueryResult{}, us.s.fail(ctx, "query usage", err)
	}
	return res, nil
}

// ForgetBatches deletes the IDs of batches applied before the given
// time, and reports how many it deleted. A batch retried after its ID
// is forgotten counts again, so keep IDs well past the longest time a
// meter may retry a batch (a day, say).
func (us *UsageStore) ForgetBatches(ctx context.Context, before time.Time) (int64, error) {
	return us.s.deleteRows(ctx, "forget usage batches", us.q.forget, before.Unix())
}

// usageColumns returns the rows' values column by column, as arrays for
// PostgreSQL's unnest, in usageCols order.
func usageColumns(rows []usage.Row) []any {
	text := func(f func(usage.Row) string) []string {
		col := make([]string, len(rows))
		for i, r := range rows {
			col[i] = f(r)
		}
		return col
	}
	num := func(f func(usage.Row) int64) []int64 {
		col := make([]int64, len(rows))
		for i, r := range rows {
			col[i] = f(r)
		}
		return col
	}
	return []any{
		text(func(r usage.Row) string { return r.Key }),
		num(func(r usage.Row) int64 { return r.Start.Unix() }),
		text(func(r usage.Row) string { return r.Plan }),
		text(func(r usage.Row) string { return r.Route }),
		text(func(r usage.Row) string { return r.Method }),
		num(func(r usage.Row) int64 { return r.Requests }),
		num(func(r usage.Row) int64 { return r.ClientErrors }),
		num(func(r usage.Row) int64 { return r.ServerErrors }),
		num(func(r usage.Row) int64 { return r.BytesIn }),
		num(func(r usage.Row) int64 { return r.BytesOut }),
		num(func(r usage.Row) int64 { return int64(r.Latency) }),
	}
}

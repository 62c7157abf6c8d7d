package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/ratelimit"
)

// RateLimitStore is a [ratelimit.Store] on the Store's database: a row
// per key and counter in <prefix>ratelimit_counters holding the
// counter's [ratelimit.State]. It is safe for concurrent use.
//
// # Low rates only
//
// A Take is one transaction of three statements (make the rows, read
// them under lock, write them back), five round trips with BEGIN and
// COMMIT, and every Take on a key waits for the one before it: about
// 3 ms a Take on PostgreSQL or MariaDB on the same machine (0.6 ms on
// SQLite), so a few hundred Takes a second on one key at most. Use it
// for limits counted per minute or hour, shared by a few instances; for
// per-second limits on busy keys use ratelimit's memory store or Redis.
type RateLimitStore struct {
	s *Store
	q rateLimitQueries
}

var _ ratelimit.Store = (*RateLimitStore)(nil)

// RateLimits returns the Store's [ratelimit.Store].
func (s *Store) RateLimits() *RateLimitStore { return s.rateLimits }

type rateLimitQueries struct {
	ensureTail, writeTail, lock, deleteIdle string
}

const rateLimitInsert = `INSERT INTO {p}ratelimit_counters (rl_key, bucket, state_time, state_count, state_prev, updated_at) VALUES `

func newRateLimitStore(s *Store) *RateLimitStore {
	ensure := ` ON CONFLICT (rl_key, bucket) DO NOTHING`
	if s.dialect == MySQL { // a no-op update, which locks the row as well
		ensure = ` ON DUPLICATE KEY UPDATE rl_key = rl_key`
	}
	lock := ` FOR UPDATE`
	if s.dialect == SQLite { // the INSERT took the database's write lock
		lock = ``
	}
	cols := []string{"state_time", "state_count", "state_prev", "updated_at"}
	return &RateLimitStore{s: s, q: rateLimitQueries{
		ensureTail: ensure,
		writeTail:  s.onConflict("rl_key, bucket", cols, s.excluded),
		lock:       lock,
		deleteIdle: s.query(`DELETE FROM {p}ratelimit_counters WHERE updated_at < ?`),
	}}
}

// Take implements [ratelimit.Store] at req.Now: the rows of req's
// counters are made if missing and locked, their states passed to
// [ratelimit.TakeRequest.Apply] and, when it admits a take of units,
// written back, all in one transaction. While the database fails, errors
// wrap [ratelimit.ErrStoreUnavailable] (and [ErrTimeout] if the Store's
// timeout cut the transaction short), or are ctx.Err(); wrap the store in
// [ratelimit.NewFallbackStore] to take from a local store meanwhile.
func (rs *RateLimitStore) Take(ctx context.Context, req ratelimit.TakeRequest) (ratelimit.Result, error) {
	key := []byte(req.Key)
	var res ratelimit.Result
	err := rs.s.inTx(ctx, "rate limit take", nil, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.ensure(ctx, tx, key, &req); err != nil {
			return err
		}
		states, err := rs.read(ctx, tx, key, &req)
		if err != nil {
			return err
		}
		if res = req.Apply(states); !res.Allowed || req.Cost == 0 {
			return nil
		}
		return rs.write(ctx, tx, key, &req, states)
	})
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return ratelimit.Result{}, ctx.Err()
	}
	return ratelimit.Result{}, fmt.Errorf("%w: %w", ratelimit.ErrStoreUnavailable, err)
}

// ensure makes the rows of req's counters, as fresh counters, when they
// do not exist.
func (rs *RateLimitStore) ensure(ctx context.Context, tx *sql.Tx, key []byte, req *ratelimit.TakeRequest) error {
	args := make([]any, 0, 6*len(req.Counters))
	for _, c := range req.Counters {
		args = append(args, key, c.Bucket, 0, 0, 0, req.Now.UnixNano())
	}
	_, err := tx.ExecContext(ctx, rs.s.query(rateLimitInsert+placeholders(len(req.Counters), 6)+rs.q.ensureTail), args...)
	return err
}

// read returns the states of req's counters, in their order, locked.
func (rs *RateLimitStore) read(ctx context.Context, tx *sql.Tx, key []byte, req *ratelimit.TakeRequest) ([]ratelimit.State, error) {
	args := []any{key}
	at := make(map[string]int, len(req.Counters))
	for i, c := range req.Counters {
		args, at[c.Bucket] = append(args, c.Bucket), i
	}
	q := `SELECT bucket, state_time, state_count, state_prev FROM {p}ratelimit_counters WHERE rl_key = ? AND bucket IN ` +
		placeholders(1, len(req.Counters)) + rs.q.lock
	rows, err := tx.QueryContext(ctx, rs.s.query(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	states := make([]ratelimit.State, len(req.Counters))
	for rows.Next() {
		var bucket string
		var st ratelimit.State
		if err := rows.Scan(&bucket, &st.Time, &st.Count, &st.Prev); err != nil {
			return nil, err
		}
		states[at[bucket]] = st
	}
	return states, rows.Err()
}

// write stores the counters' new states with one upsert.
func (rs *RateLimitStore) write(ctx context.Context, tx *sql.Tx, key []byte, req *ratelimit.TakeRequest, states []ratelimit.State) error {
	args := make([]any, 0, 6*len(states))
	for i, st := range states {
		args = append(args, key, req.Counters[i].Bucket, st.Time, st.Count, st.Prev, req.Now.UnixNano())
	}
	_, err := tx.ExecContext(ctx, rs.s.query(rateLimitInsert+placeholders(len(states), 6)+rs.q.writeTail), args...)
	return err
}

// DeleteIdle deletes the counters last taken from before the given time,
// and reports how many it deleted. A counter is as good as absent once
// it is back to full, so pass a time further back than the longest any
// limit takes to refill: its Period, or more with a Burst above its
// Quota.
func (rs *RateLimitStore) DeleteIdle(ctx context.Context, before time.Time) (int64, error) {
	return rs.s.deleteRows(ctx, "rate limit delete idle", rs.q.deleteIdle, before.UnixNano())
}

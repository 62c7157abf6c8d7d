package redisstore

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/usage"
)

var (
	//go:embed lua/usage_apply.lua
	usageApplySrc string
	//go:embed lua/usage_query.lua
	usageQuerySrc string

	usageApply = redis.NewScript(usageApplySrc)
	usageQuery = redis.NewScript(usageQuerySrc)
)

// batchTTL is how long a batch ID is remembered: far longer than any
// retry of a failed flush.
const batchTTL = 7 * 24 * time.Hour

// UsageStore is a [usage.Store] in Redis: a hash of counters per row
// (key, plan, route, method, bucket start), indexed by start and by key in
// sorted sets. A batch is one Lua script that sets the batch's marker
// (remembered for seven days) and adds every row, so it counts exactly
// once, atomically, in one round trip however many rows it has.
//
// In Redis Cluster all usage data shares one hash tag, so one slot: a
// batch spans many keys and must be applied whole. Usage arrives in
// batches every few seconds per instance, which one node absorbs easily.
//
// It is safe for concurrent use.
type UsageStore struct {
	s    *Store
	base string // "<prefix>{usage}:"
}

var _ usage.Store = (*UsageStore)(nil)

// Usage returns the store of usage totals.
func (s *Store) Usage() *UsageStore { return &UsageStore{s: s, base: s.prefix + "{usage}:"} }

// Apply implements [usage.Store].
func (u *UsageStore) Apply(ctx context.Context, b usage.Batch) (usage.ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return usage.ApplyResult{}, err
	}
	args := make([]any, 0, 4+12*len(b.Rows))
	args = append(args, int64(batchTTL/time.Second), u.base+"row:", u.base+"by-start", u.base+"by-key:")
	for _, r := range b.Rows {
		c := r.Counters
		args = append(args, rowID(r), r.Key, r.Plan, r.Route, r.Method, r.Start.Unix(),
			c.Requests, c.ClientErrors, c.ServerErrors, c.BytesIn, c.BytesOut, int64(c.Latency))
	}
	c, cancel := u.s.call(ctx)
	defer cancel()
	applied, err := usageApply.Run(c, u.s.client, []string{u.base + "batch:" + b.ID}, args...).Int()
	if err != nil {
		return usage.ApplyResult{}, u.s.fail(ctx, "apply usage batch", err)
	}
	return usage.ApplyResult{Duplicate: applied == 0}, nil
}

// rowID names a row's bucket: the hash of its identifying fields.
func rowID(r usage.Row) string {
	k := r.RowKey()
	data, _ := json.Marshal([]any{k.Key, k.Plan, k.Route, k.Method, k.Start}) // strings and an int cannot fail
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:16])
}

// Query implements [usage.Store] in one round trip.
func (u *UsageStore) Query(ctx context.Context, f usage.Filter) (usage.QueryResult, error) {
	if err := ctx.Err(); err != nil {
		return usage.QueryResult{}, err
	}
	index := u.base + "by-start"
	if f.Key != "" {
		index = u.base + "by-key:" + f.Key
	}
	c, cancel := u.s.call(ctx)
	defer cancel()
	rows, err := usageQuery.Run(c, u.s.client, []string{index}, f.From.Unix(), f.To.Unix(), u.base+"row:").Slice()
	if err != nil {
		return usage.QueryResult{}, u.s.fail(ctx, "query usage", err)
	}
	var res usage.QueryResult
	for _, row := range rows {
		r, err := parseRow(row)
		if err != nil {
			return usage.QueryResult{}, fmt.Errorf("redisstore: query usage: corrupt row: %w", err)
		}
		res.Rows = append(res.Rows, r)
	}
	return res, nil
}

// parseRow reads the HMGET reply of the query script.
func parseRow(v any) (usage.Row, error) {
	f, ok := v.([]any)
	if !ok || len(f) != 11 {
		return usage.Row{}, fmt.Errorf("reply %v", v)
	}
	s := make([]string, len(f))
	for i, x := range f {
		s[i], _ = x.(string)
	}
	n := make([]int64, 7)
	for i := range n {
		var err error
		if n[i], err = strconv.ParseInt(s[4+i], 10, 64); err != nil {
			return usage.Row{}, err
		}
	}
	return usage.Row{
		Key: s[0], Plan: s[1], Route: s[2], Method: s[3], Start: time.Unix(n[0], 0).UTC(),
		Counters: usage.Counters{
			Requests: n[1], ClientErrors: n[2], ServerErrors: n[3],
			BytesIn: n[4], BytesOut: n[5], Latency: time.Duration(n[6]),
		},
	}, nil
}

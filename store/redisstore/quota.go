package redisstore

import (
	"context"
	_ "embed"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/quota"
)

var (
	//go:embed lua/quota_lib.lua
	quotaLib string
	//go:embed lua/quota_take.lua
	quotaTakeSrc string
	//go:embed lua/quota_add.lua
	quotaAddSrc string

	quotaTake = redis.NewScript(quotaLib + quotaTakeSrc)
	quotaAdd  = redis.NewScript(quotaAddSrc)
)

// quotaSlack is how long a counter outlives its period, so an instance
// whose clock runs a little behind still finds it.
const quotaSlack = 3600

// QuotaStore is a [quota.Store] in Redis: one integer per bucket, changed
// by a Lua script (Take, Add) or a single command (Get, Set), so each
// operation is one round trip and atomic. A counter expires an hour after
// its period ends; one of a never-ending period does not expire.
//
// Counters are exact up to 2^53: Lua's numbers are doubles. The key's
// hash tag is the bucket's Key, so in Redis Cluster a caller's quota
// counters and rate-limit state live in one slot and can be decided
// together.
//
// It is safe for concurrent use.
type QuotaStore struct {
	s *Store
}

var _ quota.Store = (*QuotaStore)(nil)

// Quotas returns the store of quota counters.
func (s *Store) Quotas() *QuotaStore { return &QuotaStore{s: s} }

// counterKey names a bucket's counter. The quota name is length-prefixed
// and the caller's key comes last, so no two buckets share a name.
func (q *QuotaStore) counterKey(b quota.Bucket) string {
	buf := make([]byte, 0, len(q.s.prefix)+len(b.Quota)+len(b.Key)+48)
	buf = append(buf, q.s.prefix...)
	buf = append(buf, "q:"...)
	buf = strconv.AppendInt(buf, int64(len(b.Quota)), 10)
	buf = append(buf, ':')
	buf = append(buf, b.Quota...)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, b.Start, 10)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, b.End, 10)
	buf = append(buf, ':')
	buf = append(buf, tag(b.Key)...)
	return string(buf)
}

func expireAt(b quota.Bucket) int64 {
	if b.End == 0 {
		return 0
	}
	return b.End + quotaSlack
}

// Take implements [quota.Store.Take].
func (q *QuotaStore) Take(ctx context.Context, b quota.Bucket, cost, limit int64) (quota.Usage, error) {
	if err := ctx.Err(); err != nil {
		return quota.Usage{}, err
	}
	c, cancel := q.s.call(ctx)
	defer cancel()
	r, err := quotaTake.Run(c, q.s.client, []string{q.counterKey(b)}, b.Initial, cost, limit, expireAt(b)).Int64Slice()
	if err != nil {
		return quota.Usage{}, q.s.fail(ctx, "quota take", err)
	}
	return quota.Usage{Used: r[0], Admitted: r[1] == 1}, nil
}

// Add implements [quota.Store.Add].
func (q *QuotaStore) Add(ctx context.Context, b quota.Bucket, delta int64) (quota.Usage, error) {
	if err := ctx.Err(); err != nil {
		return quota.Usage{}, err
	}
	c, cancel := q.s.call(ctx)
	defer cancel()
	used, err := quotaAdd.Run(c, q.s.client, []string{q.counterKey(b)}, b.Initial, delta, expireAt(b)).Int64()
	if err != nil {
		return quota.Usage{}, q.s.fail(ctx, "quota add", err)
	}
	return quota.Usage{Used: used}, nil
}

// Get implements [quota.Store.Get].
func (q *QuotaStore) Get(ctx context.Context, b quota.Bucket) (quota.Usage, error) {
	if err := ctx.Err(); err != nil {
		return quota.Usage{}, err
	}
	c, cancel := q.s.call(ctx)
	defer cancel()
	used, err := q.s.client.Get(c, q.counterKey(b)).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		return quota.Usage{Used: b.Initial}, nil
	case err != nil:
		return quota.Usage{}, q.s.fail(ctx, "quota get", err)
	}
	return quota.Usage{Used: used}, nil
}

// Set implements [quota.Store.Set].
func (q *QuotaStore) Set(ctx context.Context, b quota.Bucket, used int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, cancel := q.s.call(ctx)
	defer cancel()
	args := redis.SetArgs{}
	if at := expireAt(b); at != 0 {
		args.ExpireAt = time.Unix(at, 0)
	}
	if err := q.s.client.SetArgs(c, q.counterKey(b), used, args).Err(); err != nil {
		return q.s.fail(ctx, "quota set", err)
	}
	return nil
}

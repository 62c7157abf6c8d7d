package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store is a handle on one Redis deployment (standalone, Sentinel or
// Cluster, through go-redis's [redis.UniversalClient]) from which each
// tollgate store is taken: [Store.APIKeys], and so on. It holds no state
// of its own beyond its settings and is safe for concurrent use.
type Store struct {
	client     redis.UniversalClient
	prefix     string
	timeout    time.Duration
	clientTime bool
	specs      sync.Map // ratelimit.Limit → its spec for the scripts

	errors atomic.Uint64
}

// Option configures a [Store].
type Option func(*Store) error

// WithPrefix sets the prefix of every Redis key and channel the stores
// use, so several applications (or tests) can share one Redis. It must
// not contain '{' or '}', which Redis Cluster reads as a hash tag.
// Default: "tollgate:".
func WithPrefix(p string) Option {
	return func(s *Store) error {
		if strings.ContainsAny(p, "{}") {
			return fmt.Errorf("redisstore: prefix %q contains a hash-tag brace", p)
		}
		s.prefix = p
		return nil
	}
}

// WithTimeout bounds each call to Redis, so a slow or unreachable server
// costs a request at most d before the store's failure policy applies.
// go-redis honours it only when the client was built with
// ContextTimeoutEnabled; otherwise the client's own read and write
// timeouts apply. 0 sets no timer of the store's own and leaves each call
// to the client's timeouts and the caller's context, which saves a timer
// per call (about 3% of a rate-limit take). Default: 100 ms.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d < 0 {
			return errors.New("redisstore: negative timeout")
		}
		s.timeout = d
		return nil
	}
}

// WithClientTime makes rate limits use the limiter's clock
// ([ratelimit.TakeRequest.Now]) instead of the Redis server's TIME. Use it
// when the application's clocks are trusted more than the server's, or to
// drive time in tests. Default: the server's TIME, so that instances with
// skewed clocks agree.
func WithClientTime() Option {
	return func(s *Store) error { s.clientTime = true; return nil }
}

// Stats counts a Store's failures since it was made.
type Stats struct {
	// Errors counts calls that failed in Redis (the caller's own context
	// ending is not counted).
	Errors uint64
}

// Stats returns the failure counts, for metrics.
func (s *Store) Stats() Stats {
	return Stats{Errors: s.errors.Load()}
}

// New returns a Store over client. The client stays the caller's: closing
// it is up to them, after the stores are done with it.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	s := &Store{client: client, prefix: "tollgate:", timeout: 100 * time.Millisecond}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// call returns the context for one Redis call: the caller's, bounded by
// the store's timeout unless it is 0 or the caller's deadline comes first.
func (s *Store) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout == 0 {
		return ctx, noCancel
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, s.timeout)
}

func noCancel() {}

// fail turns a Redis error into the store's error: the caller's own
// context error unchanged, anything else counted and wrapped with the
// operation.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	s.errors.Add(1)
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// tag is a caller's key as a Redis Cluster hash tag: never empty ("{}"
// would not count as one), and distinct for distinct keys. Everything
// decided per caller carries it, so it shares one slot.
func tag(key string) string { return "{k:" + key + "}" }

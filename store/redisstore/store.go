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
	deadlines  deadlines

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
// costs a request about d (at most d plus d/16) before the store's
// failure policy applies. The bound is a deadline on the call's context,
// set without a timer per call. go-redis applies it to the socket's reads
// and writes only when the client was built with ContextTimeoutEnabled
// (otherwise its ReadTimeout and WriteTimeout do), and always to dialing
// and to its waits for a connection and between retries. A caller's
// earlier deadline is kept; a caller's cancellation during such a wait is
// noticed when the wait ends. 0 adds no bound of the store's own and
// leaves each call to the client's timeouts and the caller's context.
// Default: 100 ms.
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
	s.deadlines.grain = max(s.timeout/16, time.Millisecond)
	return s, nil
}

// call returns the context for one Redis call: the caller's, bounded by
// the store's timeout unless it is 0 or the caller's deadline comes first.
// It starts no timer of its own (see [boundedCtx]); the CancelFunc does
// nothing and is there for callers to defer.
func (s *Store) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout == 0 {
		return ctx, noCancel
	}
	d := time.Now().Add(s.timeout)
	if pd, ok := ctx.Deadline(); ok && !pd.After(d) {
		return ctx, noCancel
	}
	return &boundedCtx{Context: ctx, deadline: d, done: s.deadlines.after(d)}, noCancel
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

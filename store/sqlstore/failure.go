package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is wrapped by the error of an operation that [WithTimeout]
// cut short. It deliberately does not match context.DeadlineExceeded: the
// caller's context is still live, so the database failed, and the calling
// package's failure policy (ratelimit's WithFailPolicy, quota's
// WithFailOpen) applies rather than the handling of a request that ended.
var ErrTimeout = errors.New("sqlstore: timed out")

// defaultTimeout bounds each operation unless [WithTimeout] says
// otherwise: generous for a usage batch or a key write on a loaded
// database, short enough that a row locked by a stuck transaction (on
// which PostgreSQL and MariaDB otherwise wait for a long time) or an
// unreachable server fails a request instead of hanging it.
const defaultTimeout = 5 * time.Second

// WithTimeout bounds the time each store operation (a read, a write or a
// transaction with its retries) spends in the database, so a slow or
// unreachable database costs a request at most about d before the
// calling package's failure policy applies; the operation's error then
// wraps [ErrTimeout]. A shorter deadline of the caller's context still
// wins, and its expiry is returned as ctx.Err() unchanged. [Store.Migrate]
// and the clean-up calls ([QuotaStore.DeleteEnded],
// [RateLimitStore.DeleteIdle], [UsageStore.ForgetBatches]), which may
// take long on large tables, run under the caller's context alone.
// Zero turns the bound off. Default: 5 s.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d < 0 {
			return errors.New("sqlstore: negative timeout")
		}
		s.timeout = d
		return nil
	}
}

// Stats counts a Store's failures since it was made.
type Stats struct {
	// Errors counts operations that failed in the database, timeouts
	// included (the caller's own context ending is not counted, nor are
	// values such as a conflicting key write).
	Errors uint64
}

// Stats returns the failure counts, for metrics.
func (s *Store) Stats() Stats {
	return Stats{Errors: s.errors.Load()}
}

// bound returns the context for one operation: the caller's, bounded by
// the Store's timeout. A caller's deadline that comes first is left alone,
// which also saves the timer of a nested bound.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// fail turns a database error into the operation's error: the caller's
// own context error unchanged, anything else counted and wrapped with
// the operation, and the expiry of the Store's bound as [ErrTimeout].
// ctx is the caller's context, not the bounded one.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	s.errors.Add(1)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlstore: %s: %w after %v", op, ErrTimeout, s.timeout)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

package redisstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// boundedCtx is a caller's context with an earlier deadline, made without
// the timer, the registration with the parent and the five allocations of
// context.WithTimeout (about 0.8 µs a call). go-redis uses a context in
// three ways, each bounded by it:
//
//   - Deadline sets the socket's read and write deadlines (only when the
//     client has ContextTimeoutEnabled) and bounds a dial;
//   - Done ends a wait: for a pool turn, for a new connection, a dial or
//     retry backoff. It is a channel shared with the calls whose
//     deadlines fall within a few milliseconds of this one (see
//     [deadlines]), closed at most that much after the deadline;
//   - Err is checked before waits and retries: the caller's error if
//     its context has ended, context.DeadlineExceeded once Done is closed.
//
// The caller's own cancellation does not close Done: a wait already under
// way notices it at the deadline, within the store's timeout, rather
// than at once. The caller's own deadline, if earlier, is used as it is
// (see [Store.call]).
type boundedCtx struct {
	context.Context
	deadline time.Time
	done     <-chan struct{}
}

func (c *boundedCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *boundedCtx) Done() <-chan struct{} { return c.done }

func (c *boundedCtx) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// deadlines hands out channels closed at or a little after a deadline,
// so that one timer serves every call made within grain of each other
// instead of one timer per call. A Store's deadlines are all now plus
// its timeout, so they only move forward: one current channel will do.
// Safe for concurrent use.
type deadlines struct {
	grain time.Duration
	mu    sync.Mutex // held to replace cur
	cur   atomic.Pointer[deadline]
}

type deadline struct {
	at   time.Time
	done chan struct{}
}

// after returns a channel closed between t and t plus the grain.
func (d *deadlines) after(t time.Time) <-chan struct{} {
	if c := d.cur.Load(); c != nil && d.serves(c, t) {
		return c.done
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.cur.Load()
	if c != nil && d.serves(c, t) {
		return c.done
	}
	n := &deadline{at: t.Add(d.grain), done: make(chan struct{})}
	time.AfterFunc(time.Until(n.at), func() { close(n.done) })
	if c == nil || n.at.After(c.at) {
		d.cur.Store(n)
	}
	return n.done
}

// serves reports whether c closes between t and t plus the grain.
func (d *deadlines) serves(c *deadline, t time.Time) bool {
	return !c.at.Before(t) && c.at.Sub(t) <= d.grain
}

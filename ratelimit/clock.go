package ratelimit

import "time"

// monoClock reads the monotonic clock and anchors it to the wall clock
// read once at creation. time.Now reads both clocks on every call; where
// a clock read is a system call (some sandboxes and VMs) that doubles the
// price of a take. The clock does not follow wall-clock steps made after
// creation, which suits rate limiting: intervals are measured truly.
type monoClock struct{ base time.Time }

func newMonoClock() monoClock { return monoClock{base: time.Now()} }

// Now returns base advanced by the monotonic time since.
func (c monoClock) Now() time.Time { return c.base.Add(time.Since(c.base)) }

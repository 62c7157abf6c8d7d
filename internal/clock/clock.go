// Package clock provides the time source that tollgate's stages read, so
// tests can drive time by hand instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Func returns the current time. Options across tollgate take a Func so a
// caller can inject any time source; nil means [time.Now].
type Func = func() time.Time

// OrReal returns now, or [time.Now] when now is nil.
func OrReal(now Func) Func {
	if now == nil {
		return time.Now
	}
	return now
}

// Fake is a manually advanced clock. Its zero value is not usable; create
// one with [NewFake]. It is safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a Fake clock reading t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Advance moves the clock forward by d and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	return f.t
}

// Set moves the clock to t, forwards or backwards.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}

// Mono returns a clock that reads only the monotonic clock, anchored to
// the wall clock once, now. time.Now reads both clocks on every call;
// where a clock read is a system call (some sandboxes and VMs) that
// doubles the price of a hot path. Mono does not follow wall-clock steps
// made after it was created, which suits limits and caches: intervals are
// measured truly. It is the default clock of tollgate's hot paths.
func Mono() Func { return NewMonotonic().Now }

// Monotonic is the clock [Mono] returns, for a hot path that wants the
// time as Unix nanoseconds without building a time.Time.
type Monotonic struct {
	base      time.Time
	baseNanos int64
}

// NewMonotonic returns a Monotonic clock anchored to the wall clock now.
func NewMonotonic() Monotonic {
	base := time.Now()
	return Monotonic{base: base, baseNanos: base.UnixNano()}
}

// Now returns the time.
func (m Monotonic) Now() time.Time { return m.base.Add(time.Since(m.base)) }

// UnixNano returns the time in Unix nanoseconds.
func (m Monotonic) UnixNano() int64 { return m.baseNanos + int64(time.Since(m.base)) }

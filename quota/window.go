package quota

import (
	"sync/atomic"
	"time"
)

// windowCache remembers recent windows so that the calendar arithmetic
// (several time.Date calls) runs about once per period and quota rather
// than on every request. Each slot holds the last window computed for the
// periods that hash to it; a miss just recomputes. It is safe for
// concurrent use.
type windowCache struct {
	slots [8]atomic.Pointer[cachedWindow]
}

type cachedWindow struct {
	p          Period
	anchor     time.Time
	start, end time.Time
}

// window returns q.Window(now), from the cache when it can.
func (c *windowCache) window(q Quota, now time.Time) (start, end time.Time) {
	if q.Period.kind == kindForever {
		return time.Time{}, time.Time{}
	}
	var anchor time.Time
	if q.Period.kind == kindFixed {
		anchor = q.Start // only fixed periods depend on it
	}
	p := q.Period
	slot := &c.slots[(uint(p.kind)+uint(p.weekStart)+uint(p.every>>30))%uint(len(c.slots))]
	if w := slot.Load(); w != nil && w.p == p && w.anchor.Equal(anchor) && !now.Before(w.start) && now.Before(w.end) {
		return w.start, w.end
	}
	start, end = p.window(now, anchor)
	slot.Store(&cachedWindow{p: p, anchor: anchor, start: start, end: end})
	return start, end
}

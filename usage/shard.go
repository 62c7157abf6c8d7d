package usage

import (
	"sync"
	"time"
)

// Record is one request's usage, as the middleware measures it. Strings
// are kept as they are, so pass values that are already bounded (route
// patterns, not raw paths).
type Record struct {
	// Key is the identity ID; empty for anonymous requests.
	Key string
	// Plan is the usage plan of the identity.
	Plan string
	// Route is the route pattern, such as "GET /items/{id}".
	Route string
	// Method is the request method.
	Method string
	// Status is the response status; 4xx and 5xx count as errors.
	Status int
	// BytesIn and BytesOut are the body bytes received and sent.
	BytesIn, BytesOut int64
	// Latency is the time spent serving the request.
	Latency time.Duration
	// Time is when the request arrived; it picks the bucket.
	Time time.Time
}

// entry is one aggregated bucket in a shard.
type entry struct {
	Counters
	last time.Time // latest request time, for last-used tracking
}

// shard is one slice of the in-process aggregate. Records pick a shard at
// random, so a hot key spreads over all shards instead of contending on
// one lock; the flush merges shards.
type shard struct {
	mu      sync.Mutex
	entries map[RowKey]*entry
	free    []*entry // entries recycled after a flush
	max     int      // bound on len(entries)
	closed  bool     // set by Meter.Close: later records are dropped
	lastKey RowKey   // the bucket hit last, to skip hashing on a repeat
	last    *entry   // its entry, nil after a drain
	_       [64]byte // keep neighbouring shards' locks off one cache line
}

// add counts rec into bucket k. It reports false when the shard is closed,
// or full and k is new: the record is dropped so the data already held is
// kept.
func (s *shard) add(k RowKey, rec *Record) (ok bool, size int) {
	s.mu.Lock()
	e := s.last
	if e == nil || k != s.lastKey {
		e = s.entries[k]
	}
	if e == nil || s.closed {
		if s.closed || len(s.entries) >= s.max {
			s.mu.Unlock()
			return false, s.max
		}
		e = s.alloc()
		s.entries[k] = e
	}
	s.lastKey, s.last = k, e
	e.Requests++
	switch {
	case rec.Status >= 500:
		e.ServerErrors++
	case rec.Status >= 400:
		e.ClientErrors++
	}
	e.BytesIn += rec.BytesIn
	e.BytesOut += rec.BytesOut
	e.Latency += rec.Latency
	if rec.Time.After(e.last) {
		e.last = rec.Time
	}
	size = len(s.entries)
	s.mu.Unlock()
	return true, size
}

func (s *shard) alloc() *entry {
	if n := len(s.free); n > 0 {
		e := s.free[n-1]
		s.free = s.free[:n-1]
		return e
	}
	return new(entry)
}

// drain moves the shard's entries into rows and lastUsed and empties it.
func (s *shard) drain(rows []Row, lastUsed map[string]time.Time) []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.entries {
		rows = append(rows, Row{
			Key: k.Key, Plan: k.Plan, Route: k.Route, Method: k.Method,
			Start: time.Unix(k.Start, 0).UTC(), Counters: e.Counters,
		})
		if k.Key != "" && e.last.After(lastUsed[k.Key]) {
			lastUsed[k.Key] = e.last
		}
		*e = entry{}
		s.free = append(s.free, e)
	}
	clear(s.entries)
	s.lastKey, s.last = RowKey{}, nil
	return rows
}

// close makes the shard refuse further records.
func (s *shard) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// len returns the number of entries held.
func (s *shard) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

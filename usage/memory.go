package usage

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a [Store] held in process memory, for tests and for a
// single process that need not keep usage across restarts. It remembers
// every batch ID it applied. The zero value is not usable; create one
// with [NewMemoryStore]. It is safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	rows    map[RowKey]Counters
	applied map[string]struct{}
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{rows: map[RowKey]Counters{}, applied: map[string]struct{}{}}
}

// Apply adds b's rows unless b.ID was applied before.
func (s *MemoryStore) Apply(ctx context.Context, b Batch) (ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return ApplyResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.applied[b.ID]; dup {
		return ApplyResult{Duplicate: true}, nil
	}
	s.applied[b.ID] = struct{}{}
	for _, r := range b.Rows {
		k := r.RowKey()
		c := s.rows[k]
		c.Add(r.Counters)
		s.rows[k] = c
	}
	return ApplyResult{}, nil
}

// Query returns the rows f selects.
func (s *MemoryStore) Query(ctx context.Context, f Filter) (QueryResult, error) {
	if err := ctx.Err(); err != nil {
		return QueryResult{}, err
	}
	from, to := f.From.Unix(), f.To.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	var res QueryResult
	for k, c := range s.rows {
		if k.Start < from || k.Start >= to || (f.Key != "" && k.Key != f.Key) {
			continue
		}
		res.Rows = append(res.Rows, Row{
			Key: k.Key, Plan: k.Plan, Route: k.Route, Method: k.Method,
			Start: time.Unix(k.Start, 0).UTC(), Counters: c,
		})
	}
	return res, nil
}

package usage_test

import (
	"context"

	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/usage"
)

// flakyStore wraps a MemoryStore and injects failures: fail makes the
// next calls fail before applying; lostAck makes them apply and then
// fail, as when a reply from a database is lost.
type flakyStore struct {
	*usage.MemoryStore
	mu      sync.Mutex
	fail    int
	lostAck int
	ids     []string
	dups    int
}

var errDown = errors.New("store: connection refused")

func (s *flakyStore) Apply(ctx context.Context, b usage.Batch) (usage.ApplyResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, b.ID)
	if s.fail > 0 {
		s.fail--
		return usage.ApplyResult{}, errDown
	}
	res, err := s.MemoryStore.Apply(ctx, b)
	if res.Duplicate {
		s.dups++
	}
	if err == nil && s.lostAck > 0 {
		s.lostAck--
		return usage.ApplyResult{}, errDown
	}
	return res, err
}

func (s *flakyStore) calls() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...), s.dups
}

// lastUsed records TouchLastUsed calls.
type lastUsed struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (l *lastUsed) TouchLastUsed(_ context.Context, last map[string]time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]time.Time{}
	}
	for k, t := range last {
		if t.After(l.seen[k]) {
			l.seen[k] = t
		}
	}
	return nil
}

// newMeter returns a meter whose background flushes never fire during a
// test, so the test decides when to flush.
func newMeter(t *testing.T, s usage.Store, opts ...usage.Option) *usage.Meter {
	t.Helper()
	opts = append([]usage.Option{usage.WithFlushInterval(time.Hour), usage.WithFlushSize(1 << 30)}, opts...)
	m, err := usage.NewMeter(s, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

// total sums every stored row.
func total(t *testing.T, s usage.Store) (usage.Counters, []usage.Row) {
	t.Helper()
	res, err := s.Query(context.Background(), usage.Filter{To: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	var c usage.Counters
	for _, r := range res.Rows {
		c.Add(r.Counters)
	}
	return c, res.Rows
}

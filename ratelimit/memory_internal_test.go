package ratelimit

import (
	"strconv"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryIndexMatchesMap churns a small store from several goroutines,
// so that entries are swept, evicted and indexed concurrently with
// lock-free takes, and then checks that the lock-free index holds exactly
// the entries of the maps whose fast counter is live.
func TestMemoryIndexMatchesMap(t *testing.T) {
	s := NewMemoryStore(256)
	fast := []Counter{{Bucket: "a", Limit: PerSecond(10, 10)}}
	locked := []Counter{{Bucket: "b", Limit: PerSecond(10, 10).WithAlgorithm(TokenBucket)}}
	both := []Counter{fast[0], {Bucket: "c", Limit: PerMinute(100)}}
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5000 {
				key := strconv.Itoa((i * (g + 1)) % 700)
				now := start + int64(i)*int64(time.Millisecond)
				switch i % 3 {
				case 0:
					_, _ = s.take(key, fast, 1, func() int64 { return now })
				case 1:
					_, _ = s.take(key, locked, 1, func() int64 { return now })
				default:
					_, _ = s.take(key, both, 1, func() int64 { return now })
				}
			}
		})
	}
	wg.Wait()
	for i := range s.shards {
		sh := &s.shards[i]
		x := sh.index.Load()
		indexed := map[*memEntry]bool{}
		if x != nil {
			for j := range x.slots {
				if e := x.slots[j].Load(); e != nil {
					assert.False(t, indexed[e], "entry indexed twice")
					indexed[e] = true
				}
			}
			assert.Equal(t, len(indexed), x.n)
			assert.LessOrEqual(t, 2*x.n, len(x.slots), "at most half full")
		}
		live := 0
		for h, e := range sh.m {
			for ; e != nil; e = e.next {
				require.Equal(t, h, e.hash)
				if e.fast.Load() == dead {
					assert.False(t, indexed[e], "dead entry %q still indexed", e.key)
					continue
				}
				live++
				require.NotNil(t, x)
				assert.Same(t, e, x.find(h, e.key), "live entry %q not found", e.key)
			}
		}
		assert.Equal(t, live, len(indexed), "index holds only live entries of the map")
	}
}

func TestMemEntryLayout(t *testing.T) {
	var e memEntry
	assert.Equal(t, uintptr(128), unsafe.Sizeof(e), "two cache lines, aligned")
	assert.LessOrEqual(t, unsafe.Offsetof(e.counters)+unsafe.Sizeof(e.counters), uintptr(64), "written fields in the first line")
	assert.Equal(t, uintptr(64), unsafe.Offsetof(e.key), "what lookups read in the second")
}

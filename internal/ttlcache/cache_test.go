package ttlcache

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCacheExpiry(t *testing.T) {
	c := New[string, int](100)
	now := time.Unix(1000, 0)
	c.Set("a", 1, now.Add(time.Second))
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"before expiry", now, true},
		{"just before", now.Add(time.Second - 1), true},
		{"at expiry", now.Add(time.Second), false},
		{"after", now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := c.Get("a", tt.at)
			assert.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, 1, v)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	c := New[int, int](64)
	far := time.Now().Add(time.Hour)
	for i := range 10_000 {
		c.Set(i, i, far)
	}
	assert.LessOrEqual(t, c.Len(), 64)
	c.Set(-1, -1, far)
	_, ok := c.Get(-1, time.Now())
	assert.True(t, ok, "the newest entry is kept")
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	c := New[int, int](shardCount) // one entry per shard
	now := time.Now()
	c.Set(1, 1, now.Add(-time.Second))
	for i := 2; i < 10_000; i++ {
		c.Set(i, i, now.Add(time.Hour))
	}
	assert.LessOrEqual(t, c.Len(), shardCount)
}

func TestCacheDelete(t *testing.T) {
	c := New[string, string](10)
	far := time.Now().Add(time.Hour)
	c.Set("a", "x", far)
	c.Set("b", "y", far)
	c.Set("c", "x", far)
	c.Delete("b")
	c.DeleteFunc(func(_ string, v string) bool { return v == "x" })
	assert.Equal(t, 0, c.Len())
}

func TestCacheConcurrent(t *testing.T) {
	c := New[string, int](128)
	far := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := fmt.Sprint(i % 300)
				c.Set(k, g, far)
				c.Get(k, time.Now())
				if i%97 == 0 {
					c.Delete(k)
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 128)
}

func BenchmarkGet(b *testing.B) {
	c := New[[32]byte, *int](1024)
	var k [32]byte
	v := 1
	c.Set(k, &v, time.Now().Add(time.Hour))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Get(k, now); !ok {
			b.Fatal("miss")
		}
	}
}

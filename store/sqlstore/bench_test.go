package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/apikey"
)

// BenchmarkKeyStore measures the reads a verification cache miss makes,
// and an optimistic update, on each database, beside the in-memory store
// as the baseline.
func BenchmarkKeyStore(b *testing.B) {
	type candidate struct {
		name string
		new  func(b *testing.B) apikey.Store
	}
	stores := []candidate{{"memory", func(*testing.B) apikey.Store { return apikey.NewMemoryStore() }}}
	for _, d := range dialects {
		stores = append(stores, candidate{d.String(), func(b *testing.B) apikey.Store { return newStore(b, newDatabase(b, d)).APIKeys() }})
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) { benchKeyStore(b, s.new(b)) })
	}
}

func benchKeyStore(b *testing.B, s apikey.Store) {
	ctx := context.Background()
	k := sampleKey()
	k.Scopes, k.Metadata = []string{"read", "write"}, map[string]string{"team": "payments"}
	if err := s.Put(ctx, k); err != nil {
		b.Fatal(err)
	}
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, k.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetByHash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.GetByHash(ctx, k.Hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetByHashParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetByHash(ctx, k.Hash); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Put", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.Version++
			if err := s.Put(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Package apikeytest checks an [apikey.Store] against the contract that
// package apikey relies on, so a store of your own is tested with one call:
//
//	func TestMyStore(t *testing.T) {
//		apikeytest.Run(t, func(t *testing.T) apikey.Store { return newMyStore(t) })
//	}
package apikeytest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
)

// Run tests the store returned by newStore, one subtest per clause of the
// [apikey.Store] contract. newStore is called once per subtest and must
// return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) apikey.Store) {
	clauses := []struct {
		name string
		fn   func(*testing.T, apikey.Store)
	}{
		{"GetMissing", testGetMissing},
		{"PutGetRoundTrip", testRoundTrip},
		{"GetByHashFindsCurrentAndPrevious", testGetByHash},
		{"PutReindexesHashes", testReindex},
		{"PutStaleVersionConflicts", testStaleVersion},
		{"PutNewKeyMustBeVersionOne", testNewVersion},
		{"PutHashOfAnotherKeyConflicts", testHashConflict},
		{"ListByOwnerPaginates", testList},
		{"DeleteRemovesKeyAndHashes", testDelete},
		{"ReturnsCopies", testCopies},
		{"CanceledContext", testCanceled},
		{"ConcurrentUpdatesLoseNothing", testConcurrent},
	}
	for _, c := range clauses {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

func hash(s string) apikey.Hash { return sha256.Sum256([]byte(s)) }

// sample returns a key with every field set; times are whole seconds in
// UTC so stores with coarser time types compare equal.
func sample(owner string) *apikey.Key {
	now := time.Now().UTC().Truncate(time.Second)
	id := uuid.NewString()
	return &apikey.Key{
		ID: id, Hash: hash("secret-" + id), Start: "tg_Ab3d", Name: "ci", Owner: owner, Plan: "gold",
		Scopes: []string{"read", "write"}, Metadata: map[string]string{"team": "payments"},
		Enabled: true, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(24 * time.Hour),
		LastUsedAt: now.Add(-time.Minute), Version: 1,
	}
}

func ctx() context.Context { return context.Background() }

func testGetMissing(t *testing.T, s apikey.Store) {
	_, err := s.Get(ctx(), uuid.NewString())
	assert.ErrorIs(t, err, apikey.ErrNotFound)
	_, err = s.GetByHash(ctx(), hash("nothing"))
	assert.ErrorIs(t, err, apikey.ErrNotFound)
}

func testRoundTrip(t *testing.T, s apikey.Store) {
	k := sample("alice")
	k.Previous = []apikey.PreviousSecret{{Hash: hash("old"), Start: "tg_Zz9y", ExpiresAt: k.ExpiresAt}}
	k.RevokedAt = k.CreatedAt.Add(time.Hour)
	require.NoError(t, s.Put(ctx(), k))
	got, err := s.Get(ctx(), k.ID)
	require.NoError(t, err)
	assertSameKey(t, k, got)
}

func assertSameKey(t *testing.T, want, got *apikey.Key) {
	t.Helper()
	for _, p := range []*time.Time{&got.CreatedAt, &got.UpdatedAt, &got.ExpiresAt, &got.LastUsedAt, &got.RevokedAt} {
		*p = p.UTC()
	}
	for i := range got.Previous {
		got.Previous[i].ExpiresAt = got.Previous[i].ExpiresAt.UTC()
	}
	assert.Equal(t, want, got)
}

func testGetByHash(t *testing.T, s apikey.Store) {
	k := sample("alice")
	k.Previous = []apikey.PreviousSecret{{Hash: hash("old"), Start: "tg_old1", ExpiresAt: k.ExpiresAt}}
	require.NoError(t, s.Put(ctx(), k))
	for _, h := range []apikey.Hash{k.Hash, hash("old")} {
		got, err := s.GetByHash(ctx(), h)
		require.NoError(t, err)
		assert.Equal(t, k.ID, got.ID)
	}
}

func testReindex(t *testing.T, s apikey.Store) {
	k := sample("alice")
	k.Previous = []apikey.PreviousSecret{{Hash: hash("old"), ExpiresAt: k.ExpiresAt}}
	require.NoError(t, s.Put(ctx(), k))
	oldCurrent := k.Hash
	k.Hash, k.Previous, k.Version = hash("new"), nil, 2
	require.NoError(t, s.Put(ctx(), k))
	for _, h := range []apikey.Hash{oldCurrent, hash("old")} {
		_, err := s.GetByHash(ctx(), h)
		assert.ErrorIs(t, err, apikey.ErrNotFound, "a hash the new version dropped must not resolve")
	}
	got, err := s.GetByHash(ctx(), hash("new"))
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
}

func testStaleVersion(t *testing.T, s apikey.Store) {
	k := sample("alice")
	require.NoError(t, s.Put(ctx(), k))
	k.Version = 2
	require.NoError(t, s.Put(ctx(), k))
	k.Name = "stale"
	assert.ErrorIs(t, s.Put(ctx(), k), apikey.ErrConflict, "same version twice")
	k.Version = 4
	assert.ErrorIs(t, s.Put(ctx(), k), apikey.ErrConflict, "skipping a version")
	got, err := s.Get(ctx(), k.ID)
	require.NoError(t, err)
	assert.Equal(t, "ci", got.Name)
}

func testNewVersion(t *testing.T, s apikey.Store) {
	k := sample("alice")
	k.Version = 2
	assert.ErrorIs(t, s.Put(ctx(), k), apikey.ErrConflict)
	k.Version = 1
	require.NoError(t, s.Put(ctx(), k))
	dup := sample("bob")
	dup.ID = k.ID
	assert.ErrorIs(t, s.Put(ctx(), dup), apikey.ErrConflict, "a second key with the same ID")
}

func testHashConflict(t *testing.T, s apikey.Store) {
	a := sample("alice")
	require.NoError(t, s.Put(ctx(), a))
	b := sample("bob")
	b.Hash = a.Hash
	assert.ErrorIs(t, s.Put(ctx(), b), apikey.ErrConflict)
	b.Hash = hash("b")
	b.Previous = []apikey.PreviousSecret{{Hash: a.Hash, ExpiresAt: b.ExpiresAt}}
	assert.ErrorIs(t, s.Put(ctx(), b), apikey.ErrConflict, "previous hashes are unique too")
	_, err := s.Get(ctx(), b.ID)
	assert.ErrorIs(t, err, apikey.ErrNotFound, "a refused write leaves nothing behind")
}

func testList(t *testing.T, s apikey.Store) {
	var ids []string
	for range 5 {
		k := sample("alice")
		ids = append(ids, k.ID)
		require.NoError(t, s.Put(ctx(), k))
	}
	require.NoError(t, s.Put(ctx(), sample("bob")))
	var got []string
	after := ""
	for {
		page, err := s.List(ctx(), "alice", after, 2)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		if len(page) == 0 {
			break
		}
		for _, k := range page {
			assert.Equal(t, "alice", k.Owner)
			got = append(got, k.ID)
		}
		after = page[len(page)-1].ID
	}
	assert.ElementsMatch(t, ids, got)
	assert.IsIncreasing(t, got, "ID order")
}

func testDelete(t *testing.T, s apikey.Store) {
	k := sample("alice")
	require.NoError(t, s.Put(ctx(), k))
	require.NoError(t, s.Delete(ctx(), k.ID))
	_, err := s.Get(ctx(), k.ID)
	assert.ErrorIs(t, err, apikey.ErrNotFound)
	_, err = s.GetByHash(ctx(), k.Hash)
	assert.ErrorIs(t, err, apikey.ErrNotFound)
	assert.NoError(t, s.Delete(ctx(), k.ID), "deleting a missing key")
	other := sample("bob")
	other.Hash = k.Hash
	assert.NoError(t, s.Put(ctx(), other), "a deleted key's hash is free again")
}

func testCopies(t *testing.T, s apikey.Store) {
	k := sample("alice")
	require.NoError(t, s.Put(ctx(), k))
	k.Scopes[0], k.Metadata["team"] = "changed", "changed"
	got, err := s.Get(ctx(), k.ID)
	require.NoError(t, err)
	assert.Equal(t, "read", got.Scopes[0], "the store kept a reference to the caller's slice")
	got.Metadata["team"] = "mutated"
	again, err := s.Get(ctx(), k.ID)
	require.NoError(t, err)
	assert.Equal(t, "payments", again.Metadata["team"], "the store handed out its own map")
}

func testCanceled(t *testing.T, s apikey.Store) {
	c, cancel := context.WithCancel(ctx())
	cancel()
	_, err := s.Get(c, uuid.NewString())
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.Put(c, sample("alice")), context.Canceled)
}

func testConcurrent(t *testing.T, s apikey.Store) {
	k := sample("alice")
	require.NoError(t, s.Put(ctx(), k))
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; {
				cur, err := s.Get(ctx(), k.ID)
				if !assert.NoError(t, err) {
					return
				}
				cur.Metadata[fmt.Sprintf("w%d-%d", w, i)] = "x"
				cur.Version++
				if err := s.Put(ctx(), cur); err == nil {
					i++
				} else if !assert.ErrorIs(t, err, apikey.ErrConflict) {
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Get(ctx(), k.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1+workers*each), got.Version)
	assert.Len(t, got.Metadata, 1+workers*each, "no update was lost")
}

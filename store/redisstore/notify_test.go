package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/redisstore"
)

// TestSubscribeInvalidatesOtherInstances runs two "instances", each with
// its own client and Manager, whose caches would trust a key for an hour.
// A revocation on one reaches the other through the change channel.
func TestSubscribeInvalidatesOtherInstances(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		c1, c2 := b.newClient(t), b.newClient(t)
		prefix := testPrefix(t, c1)
		s1, s2 := storeAt(t, c1, prefix), storeAt(t, c2, prefix)
		m1 := newManager(t, s1)
		m2 := newManager(t, s2)

		seen := make(chan string, 16)
		sub, err := s2.APIKeys().Subscribe(ctx, func(id string) { m2.Invalidate(id); seen <- id })
		require.NoError(t, err)
		defer func() { assert.NoError(t, sub.Close(ctx)) }()

		plaintext, k, err := m1.Create(ctx, apikey.Params{Owner: "alice", Plan: "free"})
		require.NoError(t, err)
		assert.Equal(t, k.ID, wait(t, seen), "creation is announced")
		got, err := m2.Verify(ctx, plaintext)
		require.NoError(t, err)
		assert.Equal(t, "free", got.Plan)

		gold := "gold"
		_, err = m1.Update(ctx, k.ID, apikey.Update{Plan: &gold})
		require.NoError(t, err)
		assert.Equal(t, k.ID, wait(t, seen))
		got, err = m2.Verify(ctx, plaintext)
		require.NoError(t, err)
		assert.Equal(t, "gold", got.Plan, "plan change seen at once")

		require.NoError(t, m1.Revoke(ctx, k.ID))
		assert.Equal(t, k.ID, wait(t, seen))
		_, err = m2.Verify(ctx, plaintext)
		assert.ErrorIs(t, err, apikey.ErrRevoked, "revocation seen at once")
	})
}

func TestSubscriptionCloseTwice(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, standaloneClient(t))
	sub, err := s.APIKeys().Subscribe(ctx, func(string) {})
	require.NoError(t, err)
	require.NoError(t, sub.Close(ctx))
	assert.NoError(t, sub.Close(ctx))
	_, err = s.APIKeys().Subscribe(ctx, nil)
	assert.Error(t, err)
}

func newManager(t *testing.T, s *redisstore.Store) *apikey.Manager {
	m, err := apikey.NewManager(s.APIKeys(), apikey.WithCache(100, time.Hour, time.Hour))
	require.NoError(t, err)
	return m
}

func wait(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case id := <-ch:
		return id
	case <-time.After(5 * time.Second):
		t.Fatal("no change notification within 5s")
		return ""
	}
}

// drain waits until the subscription has caught up: on a Cluster, the
// creates' messages travel the cluster bus and can arrive after
// Subscribe returns. Messages from one node arrive in order, so once a
// fresh marker key's own message is seen, nothing older is in flight.
func drain(t *testing.T, m *apikey.Manager, seen <-chan string) {
	t.Helper()
	_, marker, err := m.Create(context.Background(), apikey.Params{Owner: "marker"})
	require.NoError(t, err)
	for wait(t, seen) != marker.ID {
	}
}

// TestTouchLastUsed records last-used times in one script: later times
// win, missing keys are skipped, the version moves, and nothing is
// published, so other instances keep their caches.
func TestTouchLastUsed(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := newStore(t, b.newClient(t))
		m := newManager(t, s)
		_, k1, err := m.Create(ctx, apikey.Params{Owner: "alice"})
		require.NoError(t, err)
		_, k2, err := m.Create(ctx, apikey.Params{Owner: "bob"})
		require.NoError(t, err)
		seen := make(chan string, 16)
		sub, err := s.APIKeys().Subscribe(ctx, func(id string) { seen <- id })
		require.NoError(t, err)
		defer func() { assert.NoError(t, sub.Close(ctx)) }()
		drain(t, m, seen)

		t1 := time.Date(2031, 5, 6, 7, 8, 9, 123_456_000, time.UTC)
		require.NoError(t, m.TouchLastUsed(ctx, map[string]time.Time{k1.ID: t1, "missing": t1}))
		require.NoError(t, m.TouchLastUsed(ctx, map[string]time.Time{k1.ID: t1.Add(-time.Hour)}))
		got, err := m.Get(ctx, k1.ID)
		require.NoError(t, err)
		assert.Equal(t, t1, got.LastUsedAt, "the later time wins")
		assert.Equal(t, k1.Version+1, got.Version, "one touch took effect")

		name := "renamed"
		_, err = m.Update(ctx, k2.ID, apikey.Update{Name: &name})
		require.NoError(t, err)
		assert.Equal(t, k2.ID, wait(t, seen), "the touches published nothing before this update")
		got, err = m.Get(ctx, k1.ID)
		require.NoError(t, err)
		assert.Equal(t, t1, got.LastUsedAt)
	})
}

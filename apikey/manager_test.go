package apikey_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/internal/clock"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// countingStore counts GetByHash calls to prove what the cache saves.
type countingStore struct {
	apikey.Store
	lookups int
	fail    error
}

func (s *countingStore) GetByHash(ctx context.Context, h apikey.Hash) (*apikey.Key, error) {
	s.lookups++
	if s.fail != nil {
		return nil, s.fail
	}
	return s.Store.GetByHash(ctx, h)
}

func newManager(t *testing.T, opts ...apikey.Option) (*apikey.Manager, *countingStore, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	store := &countingStore{Store: apikey.NewMemoryStore()}
	m, err := apikey.NewManager(store, append([]apikey.Option{apikey.WithClock(clk.Now), apikey.WithPrefix("tg_test_")}, opts...)...)
	require.NoError(t, err)
	return m, store, clk
}

func ptr[T any](v T) *T { return &v }

func TestVerifyOutcomes(t *testing.T) {
	ctx := context.Background()
	m, _, clk := newManager(t)
	good, _, err := m.Create(ctx, apikey.Params{Owner: "alice", Plan: "gold"})
	require.NoError(t, err)
	disabled, _, _ := m.Create(ctx, apikey.Params{Owner: "alice", Disabled: true})
	expiring, _, _ := m.Create(ctx, apikey.Params{Owner: "alice", ExpiresAt: t0.Add(time.Hour)})
	revoked, rk, _ := m.Create(ctx, apikey.Params{Owner: "alice"})
	require.NoError(t, m.Revoke(ctx, rk.ID))
	unknownKey, _, _ := func() (string, *apikey.Key, error) {
		other, _, _ := newManager(t)
		return other.Create(ctx, apikey.Params{})
	}()
	clk.Advance(2 * time.Hour)

	tests := []struct {
		name string
		key  string
		want error
	}{
		{"valid", good, nil},
		{"malformed checksum", good[:len(good)-1] + flip(good[len(good)-1]), apikey.ErrMalformed},
		{"truncated own prefix", good[:len(good)-1], apikey.ErrMalformed},
		{"garbage", "hello", apikey.ErrMalformed},
		{"unknown", unknownKey, apikey.ErrUnknown},
		{"disabled", disabled, apikey.ErrDisabled},
		{"expired", expiring, apikey.ErrExpired},
		{"revoked", revoked, apikey.ErrRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := m.Verify(ctx, tt.key)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Nil(t, k)
				assert.NotContains(t, err.Error(), tt.key, "the key must not appear in the error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "gold", k.Plan)
		})
	}
}

func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestKeysStoredOnlyAsHashes(t *testing.T) {
	ctx := context.Background()
	m, store, _ := newManager(t)
	plain, k, err := m.Create(ctx, apikey.Params{Owner: "alice", Name: "ci"})
	require.NoError(t, err)
	stored, err := store.Get(ctx, k.ID)
	require.NoError(t, err)
	assert.Equal(t, apikey.HashKey(plain), stored.Hash)
	assert.True(t, strings.HasPrefix(plain, stored.Start))
	assert.Len(t, stored.Start, len("tg_test_")+4)
	assert.NotContains(t, stored.ID, plain[len("tg_test_"):])
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	const gw = "AbCdEfGhIjKlMnOpQrStUv0123" // an API Gateway style value
	k, err := m.Import(ctx, gw, apikey.Params{Owner: "migrated"})
	require.NoError(t, err)
	assert.Equal(t, "AbCd", k.Start)
	got, err := m.Verify(ctx, gw)
	require.NoError(t, err)
	assert.Equal(t, k.ID, got.ID)

	_, err = m.Import(ctx, "short", apikey.Params{})
	assert.ErrorIs(t, err, apikey.ErrMalformed)
	_, err = m.Import(ctx, "tg_test_"+strings.Repeat("x", 30), apikey.Params{})
	assert.ErrorIs(t, err, apikey.ErrMalformed, "the generating prefix is reserved")
	_, err = m.Import(ctx, gw, apikey.Params{})
	assert.ErrorIs(t, err, apikey.ErrConflict, "the same value twice")
}

func TestRotationGrace(t *testing.T) {
	ctx := context.Background()
	m, _, clk := newManager(t)
	oldKey, k, err := m.Create(ctx, apikey.Params{Owner: "alice"})
	require.NoError(t, err)
	newKey, rotated, err := m.Rotate(ctx, k.ID, time.Hour)
	require.NoError(t, err)
	assert.NotEqual(t, oldKey, newKey)
	assert.Len(t, rotated.Previous, 1)

	for _, key := range []string{oldKey, newKey} {
		_, err := m.Verify(ctx, key)
		assert.NoError(t, err, "both secrets work during the grace period")
	}
	clk.Advance(time.Hour)
	_, err = m.Verify(ctx, oldKey)
	assert.ErrorIs(t, err, apikey.ErrExpired, "the old secret ends with its grace period")
	_, err = m.Verify(ctx, newKey)
	assert.NoError(t, err)

	immediate, _, err := m.Rotate(ctx, k.ID, 0)
	require.NoError(t, err)
	_, err = m.Verify(ctx, newKey)
	assert.ErrorIs(t, err, apikey.ErrUnknown, "rotation without grace ends the old secret at once")
	_, err = m.Verify(ctx, immediate)
	assert.NoError(t, err)

	require.NoError(t, m.Revoke(ctx, k.ID))
	_, _, err = m.Rotate(ctx, k.ID, time.Hour)
	assert.ErrorIs(t, err, apikey.ErrRevoked)
}

func TestCacheStaleness(t *testing.T) {
	ctx := context.Background()
	m, store, clk := newManager(t, apikey.WithCache(100, 30*time.Second, 5*time.Second))
	plain, k, err := m.Create(ctx, apikey.Params{Owner: "alice"})
	require.NoError(t, err)

	for range 3 {
		_, err := m.Verify(ctx, plain)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, store.lookups, "a hot key costs one store lookup")

	// A change behind the Manager's back (another instance) is seen within the TTL.
	raw, _ := store.Get(ctx, k.ID)
	raw.Enabled, raw.Version = false, raw.Version+1
	require.NoError(t, store.Put(ctx, raw))
	clk.Advance(29 * time.Second)
	_, err = m.Verify(ctx, plain)
	assert.NoError(t, err, "still cached: the documented staleness")
	clk.Advance(time.Second)
	_, err = m.Verify(ctx, plain)
	assert.ErrorIs(t, err, apikey.ErrDisabled, "stale for at most the positive TTL")

	// Changes through the Manager apply at once.
	_, err = m.Update(ctx, k.ID, apikey.Update{Enabled: ptr(true)})
	require.NoError(t, err)
	_, err = m.Verify(ctx, plain)
	assert.NoError(t, err)
	require.NoError(t, m.Revoke(ctx, k.ID))
	_, err = m.Verify(ctx, plain)
	assert.ErrorIs(t, err, apikey.ErrRevoked)

	// Explicit invalidation, for notifications from other instances.
	raw, _ = store.Get(ctx, k.ID)
	raw.RevokedAt, raw.Enabled, raw.Version = time.Time{}, true, raw.Version+1
	require.NoError(t, store.Put(ctx, raw))
	m.Invalidate(k.ID)
	_, err = m.Verify(ctx, plain)
	assert.NoError(t, err)
}

func TestNegativeCache(t *testing.T) {
	ctx := context.Background()
	m, store, clk := newManager(t, apikey.WithCache(100, 30*time.Second, 5*time.Second))
	const value = "imported-key-value-0123456789"
	for range 3 {
		_, err := m.Verify(ctx, value)
		assert.ErrorIs(t, err, apikey.ErrUnknown)
	}
	assert.Equal(t, 1, store.lookups, "an unknown value is remembered")
	clk.Advance(5 * time.Second)
	_, _ = m.Verify(ctx, value)
	assert.Equal(t, 2, store.lookups, "for the negative TTL only")

	_, err := m.Import(ctx, value, apikey.Params{})
	require.NoError(t, err)
	_, err = m.Verify(ctx, value)
	assert.NoError(t, err, "creating the key clears the cached miss at once")
}

func TestStoreFailureIsNotARefusal(t *testing.T) {
	ctx := context.Background()
	m, store, _ := newManager(t)
	plain, _, _ := m.Create(ctx, apikey.Params{})
	store.fail = errors.New("connection refused")
	_, err := m.Verify(ctx, plain)
	require.Error(t, err)
	for _, e := range []error{apikey.ErrUnknown, apikey.ErrMalformed, apikey.ErrDisabled} {
		assert.NotErrorIs(t, err, e)
	}
	store.fail = nil
	_, err = m.Verify(ctx, plain)
	assert.NoError(t, err, "a failure is not cached")
}

func TestUpdateAndList(t *testing.T) {
	ctx := context.Background()
	m, _, clk := newManager(t)
	var ids []string
	for range 5 {
		_, k, err := m.Create(ctx, apikey.Params{Owner: "alice"})
		require.NoError(t, err)
		ids = append(ids, k.ID)
	}
	_, _, _ = m.Create(ctx, apikey.Params{Owner: "bob"})

	clk.Advance(time.Minute)
	exp := t0.Add(48 * time.Hour)
	k, err := m.Update(ctx, ids[0], apikey.Update{Plan: ptr("silver"), Scopes: ptr([]string{"read"}), ExpiresAt: &exp, Metadata: ptr(map[string]string{"env": "ci"})})
	require.NoError(t, err)
	assert.Equal(t, "silver", k.Plan)
	assert.Equal(t, []string{"read"}, k.Scopes)
	assert.Equal(t, exp, k.ExpiresAt)
	assert.Equal(t, t0.Add(time.Minute), k.UpdatedAt)
	assert.Equal(t, int64(2), k.Version)
	_, err = m.Update(ctx, "no-such-id", apikey.Update{Plan: ptr("x")})
	assert.ErrorIs(t, err, apikey.ErrNotFound)

	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		page, err := m.List(ctx, "alice", cursor, 2)
		require.NoError(t, err)
		for _, k := range page.Keys {
			got = append(got, k.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	assert.ElementsMatch(t, ids, got)
	_, err = m.List(ctx, "alice", "", 5000)
	assert.Error(t, err)
}

func TestTouchLastUsed(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	_, k, _ := m.Create(ctx, apikey.Params{})
	later := t0.Add(time.Hour)
	require.NoError(t, m.TouchLastUsed(ctx, map[string]time.Time{k.ID: later, "gone": later}))
	require.NoError(t, m.TouchLastUsed(ctx, map[string]time.Time{k.ID: t0}), "an older time is ignored")
	got, _ := m.Get(ctx, k.ID)
	assert.Equal(t, later, got.LastUsedAt)
}

func TestNewManagerValidates(t *testing.T) {
	for _, opt := range []apikey.Option{apikey.WithPrefix("Bad"), apikey.WithCache(-1, 0, 0)} {
		_, err := apikey.NewManager(apikey.NewMemoryStore(), opt)
		assert.Error(t, err)
	}
	_, err := apikey.NewManager(nil)
	assert.Error(t, err)
}

// bulkStore has its own TouchLastUsed, which the Manager must prefer.
type bulkStore struct {
	apikey.Store
	batches []map[string]time.Time
}

func (s *bulkStore) TouchLastUsed(_ context.Context, last map[string]time.Time) error {
	s.batches = append(s.batches, last)
	return nil
}

func TestTouchLastUsedPrefersTheStoresBatch(t *testing.T) {
	s := &bulkStore{Store: apikey.NewMemoryStore()}
	m, err := apikey.NewManager(s)
	require.NoError(t, err)
	batch := map[string]time.Time{"a": t0, "b": t0}
	require.NoError(t, m.TouchLastUsed(context.Background(), batch))
	assert.Equal(t, []map[string]time.Time{batch}, s.batches)
}

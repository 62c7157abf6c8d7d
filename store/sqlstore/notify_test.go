package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/sqlstore"
)

// pgxWait is the WaitFunc for github.com/jackc/pgx/v5/stdlib.
func pgxWait(ctx context.Context, dc any) (string, error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return "", fmt.Errorf("not a pgx connection: %T", dc)
	}
	n, err := c.Conn().WaitForNotification(ctx)
	if err != nil {
		return "", err
	}
	return n.Payload, nil
}

// within waits for the next value on c, failing the test after a while.
func within[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	var zero T
	return zero
}

// twoInstances returns two Stores with the same tables on separate
// pools, as two servers would have.
func twoInstances(t *testing.T) (a, b *sqlstore.Store) {
	d := newDatabase(t, sqlstore.Postgres)
	a = newStore(t, d)
	b, err := sqlstore.New(d.open(t), sqlstore.Postgres, sqlstore.WithTablePrefix(a.TablePrefix()))
	require.NoError(t, err)
	return a, b
}

// TestSubscribeInvalidatesOtherInstances revokes a key on one instance
// and sees the other instance's cached verification refuse it at once,
// well inside its cache TTL.
func TestSubscribeInvalidatesOtherInstances(t *testing.T) {
	a, b := twoInstances(t)
	ctx := context.Background()
	ma, err := apikey.NewManager(a.APIKeys())
	require.NoError(t, err)
	mb, err := apikey.NewManager(b.APIKeys(), apikey.WithCache(100, time.Hour, time.Hour))
	require.NoError(t, err)

	seen := make(chan string, 16)
	sub, err := b.APIKeys().Subscribe(ctx, pgxWait, func(id string) { mb.Invalidate(id); seen <- id })
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close(ctx)) }()

	plaintext, k, err := ma.Create(ctx, apikey.Params{Owner: "acme", Plan: "gold"})
	require.NoError(t, err)
	assert.Equal(t, k.ID, within(t, seen), "creation is announced")
	_, err = mb.Verify(ctx, plaintext)
	require.NoError(t, err, "b verifies and caches the key for an hour")

	require.NoError(t, ma.Revoke(ctx, k.ID))
	assert.Equal(t, k.ID, within(t, seen))
	_, err = mb.Verify(ctx, plaintext)
	assert.ErrorIs(t, err, apikey.ErrRevoked, "b dropped its cached entry")

	require.NoError(t, ma.Delete(ctx, k.ID))
	assert.Equal(t, k.ID, within(t, seen), "deletion is announced")
}

// TestSubscribeReconnects kills the listening connection's backend and
// checks that notifications flow again once it has reconnected.
func TestSubscribeReconnects(t *testing.T) {
	a, b := twoInstances(t)
	ctx := context.Background()
	seen := make(chan string, 64)
	sub, err := b.APIKeys().Subscribe(ctx, pgxWait, func(id string) { seen <- id })
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close(ctx)) }()

	var killed int
	err = a.DB().QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN "`+b.TablePrefix()+`%' AND pid <> pg_backend_pid()`).Scan(&killed)
	require.NoError(t, err)
	require.Equal(t, 1, killed, "the listening connection")
	// Notifications sent before the new LISTEN are lost, so keep writing
	// until one arrives.
	deadline := time.After(10 * time.Second)
	for {
		k := sampleKey()
		require.NoError(t, a.APIKeys().Put(ctx, k))
		select {
		case id := <-seen:
			assert.NotEmpty(t, id)
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification after the connection was killed")
		}
	}
}

func TestSubscribeNeedsPostgres(t *testing.T) {
	s := newStore(t, newDatabase(t, sqlstore.SQLite))
	_, err := s.APIKeys().Subscribe(context.Background(), pgxWait, func(string) {})
	assert.Error(t, err)
	pg := newStore(t, newDatabase(t, sqlstore.Postgres), sqlstore.WithNotify(false))
	_, err = pg.APIKeys().Subscribe(context.Background(), pgxWait, func(string) {})
	assert.Error(t, err, "notifications turned off")
	_, err = newStore(t, newDatabase(t, sqlstore.Postgres)).APIKeys().Subscribe(context.Background(), nil, func(string) {})
	assert.Error(t, err, "nil WaitFunc")
}

// TestWithNotifyOffSendsNothing relies on PostgreSQL delivering
// notifications in commit order: the quiet store's write comes first, so
// if it had notified, that would arrive before the loud store's.
func TestWithNotifyOffSendsNothing(t *testing.T) {
	loud, listener := twoInstances(t)
	quiet, err := sqlstore.New(loud.DB(), sqlstore.Postgres, sqlstore.WithTablePrefix(loud.TablePrefix()), sqlstore.WithNotify(false))
	require.NoError(t, err)
	ctx := context.Background()
	seen := make(chan string, 16)
	sub, err := listener.APIKeys().Subscribe(ctx, pgxWait, func(id string) { seen <- id })
	require.NoError(t, err)

	k1, k2 := sampleKey(), sampleKey()
	require.NoError(t, quiet.APIKeys().Put(ctx, k1))
	require.NoError(t, loud.APIKeys().Put(ctx, k2))
	assert.Equal(t, k2.ID, within(t, seen))

	require.NoError(t, sub.Close(ctx))
	require.NoError(t, sub.Close(ctx), "twice")
	assert.Zero(t, listener.DB().Stats().OpenConnections,
		"Close dropped the listening connection, the only one the pool had")
}

// TestFailingWaitBacksOff checks that a WaitFunc that fails at once (here,
// one written for another driver) makes the Subscription reconnect with a
// growing pause, not in a tight loop against the server.
func TestFailingWaitBacksOff(t *testing.T) {
	s := newStore(t, newDatabase(t, sqlstore.Postgres))
	ctx := context.Background()
	calls := make(chan time.Time, 8)
	failing := func(context.Context, any) (string, error) {
		select {
		case calls <- time.Now():
		default:
		}
		return "", errors.New("not my driver")
	}
	sub, err := s.APIKeys().Subscribe(ctx, failing, func(string) { t.Error("nothing to deliver") })
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close(ctx)) }()
	first := within(t, calls)
	within(t, calls)
	third := within(t, calls)
	assert.GreaterOrEqual(t, third.Sub(first), 30*time.Millisecond, "10 ms, then 20 ms between attempts")
}

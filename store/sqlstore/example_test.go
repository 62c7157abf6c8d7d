package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/quota"
	"github.com/tollgate/tollgate/ratelimit"
	"github.com/tollgate/tollgate/store/sqlstore"
	"github.com/tollgate/tollgate/usage"
)

// An API key manager whose keys live in an SQLite file and so survive a
// restart: the Manager of the second "process" verifies the key that the
// first one made.
func Example() {
	dir, err := os.MkdirTemp("", "tollgate")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	keys, db := openKeys(ctx, dir)
	plaintext, _, err := keys.Create(ctx, apikey.Params{Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}
	db.Close()

	keys, db = openKeys(ctx, dir) // after a restart
	defer db.Close()
	k, err := keys.Verify(ctx, plaintext)
	fmt.Println(k.Owner, k.Plan, err)
	// Output: acme gold <nil>
}

// openKeys is what a program does at start-up: open the database, bring
// its tables up to date (every instance may do this at once) and put a
// Manager over the key store.
func openKeys(ctx context.Context, dir string) (*apikey.Manager, *sql.DB) {
	store := openSQLite(ctx, dir)
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	return keys, store.DB()
}

// Subscribing to key changes on PostgreSQL with pgx, so every instance
// drops a revoked key from its cache at once. pgxWait is:
//
//	func pgxWait(ctx context.Context, dc any) (string, error) {
//		c, ok := dc.(*stdlib.Conn)
//		if !ok {
//			return "", fmt.Errorf("not a pgx connection: %T", dc)
//		}
//		n, err := c.Conn().WaitForNotification(ctx)
//		if err != nil {
//			return "", err
//		}
//		return n.Payload, nil
//	}
func ExampleKeyStore_Subscribe() {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db, sqlstore.Postgres)
	if err != nil {
		log.Fatal(err)
	}
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	sub, err := store.APIKeys().Subscribe(ctx, pgxWait, keys.Invalidate)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close(ctx)
	// ... serve requests with keys ...
}

// tempSQLite returns a Store on a new SQLite file, and a function that
// closes it and removes the file.
func tempSQLite(ctx context.Context) (*sqlstore.Store, func()) {
	dir, err := os.MkdirTemp("", "tollgate")
	if err != nil {
		log.Fatal(err)
	}
	store := openSQLite(ctx, dir)
	return store, func() { store.DB().Close(); os.RemoveAll(dir) }
}

// openSQLite opens a migrated Store on the SQLite file tollgate.db in
// dir, creating it if need be.
func openSQLite(ctx context.Context, dir string, opts ...sqlstore.Option) *sqlstore.Store {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "tollgate.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.SQLite, opts...)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	return store
}

// A daily quota of 5 counted in the database: every instance of a
// service that takes from it shares the one count, and a Take over the
// limit changes nothing. A quota.Limiter does this per request given
// store.Quotas().
func ExampleQuotaStore() {
	ctx := context.Background()
	store, done := tempSQLite(ctx)
	defer done()

	day := quota.Bucket{Quota: "daily", Key: "key-1", Start: 1772323200, End: 1772409600}
	for _, cost := range []int64{2, 3, 1} {
		u, err := store.Quotas().Take(ctx, day, cost, 5)
		fmt.Println(u.Used, u.Admitted, err)
	}
	// Output:
	// 2 true <nil>
	// 5 true <nil>
	// 5 false <nil>
}

// A usage batch applied twice, as a meter retrying after a timeout
// would: the batch ID makes the second a no-op.
func ExampleUsageStore() {
	ctx := context.Background()
	store, done := tempSQLite(ctx)
	defer done()

	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	batch := usage.Batch{ID: "0195d3a0-batch", Rows: []usage.Row{
		{Key: "key-1", Route: "GET /items", Method: "GET", Start: start, Counters: usage.Counters{Requests: 3}},
	}}
	for range 2 {
		res, err := store.Usage().Apply(ctx, batch)
		fmt.Println("duplicate:", res.Duplicate, err)
	}
	got, err := store.Usage().Query(ctx, usage.Filter{Key: "key-1", From: start, To: start.Add(time.Hour)})
	fmt.Println(got.Rows[0].Route, got.Rows[0].Requests, err)
	// Output:
	// duplicate: false <nil>
	// duplicate: true <nil>
	// GET /items 3 <nil>
}

// Rate limits that keep throttling while the database is down: wrapped
// in a ratelimit.FallbackStore, takes go to a memory store meanwhile, each
// instance counting on its own, and Fallbacks and Stats tell metrics how
// often that happened. Without the wrapper the limiter's fail policy
// would decide instead.
func ExampleStore_RateLimits_fallback() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tollgate")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store := openSQLite(ctx, dir, sqlstore.WithTimeout(500*time.Millisecond))
	limits, err := ratelimit.NewFallbackStore(store.RateLimits(), ratelimit.NewMemoryStore(10_000))
	if err != nil {
		log.Fatal(err)
	}
	limiter, err := ratelimit.New(limits, []ratelimit.Limit{ratelimit.PerMinute(2)})
	if err != nil {
		log.Fatal(err)
	}

	store.DB().Close() // the database goes away
	for range 3 {
		r, err := limiter.Allow(ctx, "key-1")
		fmt.Println(r.Allowed, err)
	}
	fmt.Printf("fallbacks: %d, %+v\n", limits.Fallbacks(), store.Stats())
	// Output:
	// true <nil>
	// true <nil>
	// false <nil>
	// fallbacks: 3, {Errors:3}
}

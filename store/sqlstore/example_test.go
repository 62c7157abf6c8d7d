package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/tollgate/tollgate/apikey"
	"github.com/tollgate/tollgate/store/sqlstore"
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
	dsn := "file:" + filepath.Join(dir, "keys.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	ctx := context.Background()

	keys, db := openKeys(ctx, dsn)
	plaintext, _, err := keys.Create(ctx, apikey.Params{Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}
	db.Close()

	keys, db = openKeys(ctx, dsn) // after a restart
	defer db.Close()
	k, err := keys.Verify(ctx, plaintext)
	fmt.Println(k.Owner, k.Plan, err)
	// Output: acme gold <nil>
}

// openKeys is what a program does at start-up: open the database, bring
// its tables up to date (every instance may do this at once) and put a
// Manager over the key store.
func openKeys(ctx context.Context, dsn string) (*apikey.Manager, *sql.DB) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	keys, err := apikey.NewManager(store.APIKeys())
	if err != nil {
		log.Fatal(err)
	}
	return keys, db
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
